from django.urls import path

from coopcis.apps.backoffice import views

app_name = "backoffice"
urlpatterns: list = []
