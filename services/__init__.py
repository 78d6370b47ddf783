"""Operations, one module per aggregate: every create/update/delete/search and domain rule, for web/ and jobs/."""
