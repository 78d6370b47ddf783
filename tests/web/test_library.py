"""The NAS folder name an organization sets, and imports started through the API."""
from __future__ import annotations

from tests import helpers


def test_folder_name_is_kept_as_set_and_imports_are_queued(client):
    owner = helpers.register(client)
    base = f"/api/organizations/{owner['org_id']}"
    response = client.patch(base, headers=owner["headers"], json={"nas_folder": "Sunny Prints"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["folder"] == "Sunny Prints"
    helpers.assert_error(client.patch(base, headers=owner["headers"], json={"nas_folder": "../other"}), 422)
    job = client.post(f"{base}/library/imports", headers=owner["headers"], json={"file_types": ["designs"]})
    assert job.status_code == 201 and job.get_json()["job_type"] == "imports"
    helpers.assert_error(client.post(f"{base}/library/imports", headers=owner["headers"], json={}), 409)
    viewer = helpers.add_member(client, owner, "viewer")
    helpers.assert_error(client.post(f"{base}/library/imports", headers=viewer["headers"], json={}), 403)
