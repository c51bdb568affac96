"""Reports per audience: builders turn plain data into a context; renderers write
Markdown, HTML and PDF."""
