"""Request plumbing shared by the pages and the API: who is asking, what every request
goes through (body limit, write lock, the one commit, security headers), and how domain
errors become HTTP answers."""
