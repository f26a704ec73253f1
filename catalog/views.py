from django.http import HttpResponse
from django.views.generic import ListView


def home(request):
    return HttpResponse("")


ost_detail = group_detail = member_detail = show_detail = home
OSTListView = GroupListView = ShowListView = ListView
