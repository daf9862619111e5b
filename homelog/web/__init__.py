"""The phone app: the built progressive web app (from frontend/) served at "/"."""
