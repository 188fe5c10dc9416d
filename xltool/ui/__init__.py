"""The local page (``xltool ui``): a web page on this computer where an officer drops workbooks or a folder
and gets the results, the annotated copies, the overview and blank templates.

- ``session``: what the page works on (batches of uploaded files in a temporary folder, checked with
  ``xltool.batch``), independent of HTTP;
- ``server``: the Starlette application and the uvicorn server on 127.0.0.1;
- ``command``: the ``xltool ui`` command;
- ``page.html``: the page itself (plain HTML, CSS and JavaScript; nothing is loaded from the network).

Nothing here is imported by ``xltool check``.
"""
