"""Reads are public; writes need a regulator (or a superuser). Which license a regulator may change is
decided per object by licensing.access, in the views."""

from rest_framework import permissions

from .. import access


class ReadPublicWriteRegulator(permissions.BasePermission):
    message = "Writing needs a regulator's token or session."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return access.can_create_licenses(request.user)
