from django.shortcuts import render

from . import flow


def home(request):
    return render(request, "core/home.html", {"steps": flow.steps()})


def flow_chart(request):
    return render(request, "core/flow.html", {"steps": flow.steps()})
