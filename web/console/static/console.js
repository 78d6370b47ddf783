// The console's progressive enhancement, plain JavaScript: live job progress, multi-file uploads with per-file
// progress, the gang sheet builder's live layout, and placing a mockup's print area by clicking four corners.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const post = (url, body) => fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf},
    body: JSON.stringify(body)});

  // Live progress: every bar of an unfinished job polls until the job finishes, then the page reloads.
  function watchJobs() {
    const bars = [...document.querySelectorAll(".progress[data-job]")]
      .filter((el) => ["queued", "processing"].includes(el.dataset.status));
    if (!bars.length) return;
    const tick = async () => {
      const ids = bars.map((el) => el.dataset.job).join(",");
      const answer = await fetch(`${document.body.dataset.progress}?ids=${ids}`, {headers: {"Accept": "application/json"}});
      if (!answer.ok) return setTimeout(tick, 5000);
      let finished = false;
      for (const job of await answer.json()) {
        const el = bars.find((b) => b.dataset.job === String(job.id));
        if (!el) continue;
        el.querySelector(".bar span").style.width = `${job.progress}%`;
        el.querySelector(".bar").setAttribute("aria-valuenow", job.progress);
        el.querySelector(".msg").textContent = job.message || job.status;
        if (!["queued", "processing"].includes(job.status)) finished = true;
      }
      if (finished) return window.location.reload();
      setTimeout(tick, 1500);
    };
    setTimeout(tick, 1000);
  }

  // Uploads: each file is sent on its own request, so each has its own progress bar and its own answer.
  function uploads() {
    const form = document.getElementById("upload");
    if (!form) return;
    const input = document.getElementById("files"), list = document.getElementById("upload-list");
    const send = (file) => new Promise((resolve) => {
      const row = document.createElement("li");
      row.innerHTML = '<span class="fname"></span><progress max="100" value="0"></progress><span class="state">waiting</span>';
      row.querySelector(".fname").textContent = file.name;
      list.appendChild(row);
      const xhr = new XMLHttpRequest(), data = new FormData();
      data.append("file", file);
      data.append("tags", document.getElementById("tags").value);
      xhr.open("POST", form.dataset.url);
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) row.querySelector("progress").value = 100 * e.loaded / e.total; };
      xhr.onload = () => {
        const state = row.querySelector(".state");
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = {message: xhr.statusText}; }
        row.querySelector("progress").value = 100;
        if (xhr.status < 300) { state.textContent = body.duplicate ? "already there" : "uploaded"; state.className = "state done"; }
        else { state.textContent = body.message || `failed (${xhr.status})`; state.className = "state failed"; }
        resolve(xhr.status < 300);
      };
      xhr.onerror = () => { row.querySelector(".state").textContent = "network error"; resolve(false); };
      row.querySelector(".state").textContent = "uploading";
      xhr.send(data);
    });
    const sendAll = async (files) => {
      let ok = true;
      for (const file of files) ok = (await send(file)) && ok;  // one at a time: calm on the NAS and the server
      if (ok) setTimeout(() => window.location.reload(), 600);
    };
    input.addEventListener("change", () => sendAll([...input.files]));
    form.addEventListener("dragover", (e) => { e.preventDefault(); form.classList.add("over"); });
    form.addEventListener("dragleave", () => form.classList.remove("over"));
    form.addEventListener("drop", (e) => { e.preventDefault(); form.classList.remove("over"); sendAll([...e.dataTransfer.files]); });
  }

  // Gang sheet builder: the layout (numbers and picture) follows every change, half a second after the last one.
  function builder() {
    const root = document.getElementById("builder");
    if (!root) return;
    const summary = document.getElementById("summary"), img = document.getElementById("sheet");
    const findings = document.getElementById("findings"), queue = document.getElementById("queue");
    let timer = null, asked = 0;
    const params = () => {
      const items = [];
      for (const row of root.querySelectorAll("tr[data-file]")) {
        const quantity = parseInt(row.querySelector(".qty").value, 10);
        if (!(quantity > 0)) continue;
        const item = {file_id: parseInt(row.dataset.file, 10), quantity};
        const width = parseFloat(row.querySelector(".width").value);
        if (width > 0) item.width_in = width;
        items.push(item);
      }
      const body = {items};
      const printer = document.getElementById("printer").value;
      if (printer) body.printer_id = parseInt(printer, 10);
      const roll = parseFloat(document.getElementById("sheet_width").value);
      if (roll > 0) body.sheet_width = roll;
      const spacing = parseFloat(document.getElementById("spacing").value);
      if (spacing >= 0) body.spacing = spacing;
      return body;
    };
    const update = async () => {
      const body = params(), mine = ++asked;
      document.getElementById("params").value = JSON.stringify(body);
      if (!body.items.length) {
        summary.textContent = "Pick designs and copies to see the layout."; img.hidden = true; queue.disabled = true; return;
      }
      summary.textContent = "Laying out…";
      const answer = await post(root.dataset.preview, body);
      const data = await answer.json();
      if (mine !== asked) return;  // a newer change is on its way
      findings.textContent = "";
      if (!answer.ok) {
        summary.textContent = data.message + (data.errors ? ": " + JSON.stringify(data.errors) : "");
        img.hidden = true; queue.disabled = true; return;
      }
      const cost = data.film_cost ? ` · film ${data.film_cost.total} ${data.film_cost.currency || ""}` : "";
      summary.textContent = `${data.sheet_count} sheet${data.sheet_count === 1 ? "" : "s"} · ` +
        `${data.total_length_in.toFixed(1)} in of a ${data.sheet_width} in roll · ` +
        `${(data.utilization * 100).toFixed(1)} % used${cost}`;
      for (const f of data.preflight) {
        const li = document.createElement("li"); li.textContent = f.message; findings.appendChild(li);
      }
      const picture = await post(root.dataset.picture, body);
      if (mine !== asked || !picture.ok) return;
      if (img.src) URL.revokeObjectURL(img.src);
      img.src = URL.createObjectURL(await picture.blob());
      img.hidden = false;
      queue.disabled = false;
    };
    root.addEventListener("input", (e) => {
      if (e.target.closest("form.filters")) return;
      clearTimeout(timer); timer = setTimeout(update, 500);
    });
    update();
  }

  // Mockup print area: four clicks on the photo, in photo pixels; the quad is drawn as it grows.
  function corners() {
    const photo = document.getElementById("photo");
    if (!photo) return;
    const img = document.getElementById("photo-img"), svg = document.getElementById("overlay");
    const count = document.getElementById("corner-count"), save = document.getElementById("save-area");
    const W = parseFloat(photo.dataset.width), H = parseFloat(photo.dataset.height);
    let points = JSON.parse(photo.dataset.points || "[]");
    const names = ["top left", "top right", "bottom right", "bottom left"];
    const draw = () => {
      svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
      svg.setAttribute("preserveAspectRatio", "none");
      svg.querySelectorAll("circle").forEach((c) => c.remove());
      document.getElementById("quad").setAttribute("points", points.map((p) => p.join(",")).join(" "));
      for (const [x, y] of points) {
        const c = document.createElementNS("http://www.w3.org/2000/svg", "circle");
        c.setAttribute("cx", x); c.setAttribute("cy", y); c.setAttribute("r", Math.max(W, H) / 120);
        svg.appendChild(c);
      }
      if (save) save.disabled = points.length !== 4;
      const field = document.getElementById("points");
      if (field) field.value = JSON.stringify(points);
      count.textContent = points.length === 4 ? "Four corners placed." : `Next: the ${names[points.length]} corner.`;
    };
    let fresh = true;  // the first click starts a new area
    img.addEventListener("click", (e) => {
      const box = img.getBoundingClientRect();
      if (fresh || points.length === 4) { points = []; fresh = false; }
      points.push([Math.round((e.clientX - box.left) / box.width * W), Math.round((e.clientY - box.top) / box.height * H)]);
      draw();
    });
    const typed = document.getElementById("points");
    if (typed) typed.addEventListener("change", () => {  // the keyboard's way: corners typed as JSON pairs
      try { const p = JSON.parse(typed.value); if (Array.isArray(p)) { points = p.slice(0, 4); fresh = false; draw(); } }
      catch (err) { count.textContent = "Type four [x, y] pairs, e.g. [[100, 80], [300, 80], [300, 260], [100, 260]]."; }
    });
    const reset = document.getElementById("reset-area");
    if (reset) reset.addEventListener("click", () => { points = []; fresh = false; draw(); });
    draw();
    const pick = document.getElementById("design"), out = document.getElementById("mockup-preview");
    const status = document.getElementById("preview-status");
    pick.addEventListener("change", () => {
      if (!pick.value) { out.hidden = true; return; }
      status.textContent = "Rendering…";
      out.onload = () => { status.textContent = ""; out.hidden = false; };
      out.onerror = () => { status.textContent = "This design cannot be previewed here."; };
      out.src = `${pick.dataset.url}?file_id=${pick.value}&t=${Date.now()}`;
    });
  }

  document.addEventListener("DOMContentLoaded", () => { watchJobs(); uploads(); builder(); corners(); });
})();
