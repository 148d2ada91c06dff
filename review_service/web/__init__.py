"""Server-rendered pages for jurors and organizers (Jinja2 + a little plain JavaScript), in kk, ru and en."""
