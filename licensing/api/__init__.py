"""The registry's REST API, version 1 (Django REST framework): see urls.py for the endpoints."""
