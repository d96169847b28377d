"""Staff workspace of the AMI (dashboard, submission pages), under /tableau-de-bord/."""

app_name = "staff"

urlpatterns: list = []
