"""A stand-in for the few GitHub REST endpoints the manual approval gate uses.

Served by the local cloud's front door under `/_powertune/github` (the API base a
client is given as GITHUB_API_URL) with control endpoints under
`/_powertune/github-admin` (post a comment as a user, add a team member, inject
faults, read what was sent). Tests check its requests and responses against
GitHub's own OpenAPI description.
"""

API_PREFIX = "/_powertune/github"
ADMIN_PREFIX = "/_powertune/github-admin"
