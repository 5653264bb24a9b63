from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def invitation_answer(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError
