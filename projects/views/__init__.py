"""Views of the projects app, under /projets/ (see ``projects.urls``)."""
