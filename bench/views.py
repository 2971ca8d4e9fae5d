"""The two lowest rungs of the floor ladder. Both pass the whole middleware
stack, as every app view does; neither authenticates."""

from django.db import connection
from django.http import JsonResponse


def plain(request):
    return JsonResponse({"ok": True})


def select_one(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return JsonResponse({"ok": one == 1})
