"""Pages (stub until the page slice)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def order_list(request):
    return HttpResponse("")


order_place = order_detail = order_action = refund_list = refund_decide = city_materials = order_list
