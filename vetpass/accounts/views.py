from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .forms import ProfileForm
from .models import User
from .services import profile_update


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    # The form works on its own copy, so a refused change never shows in the page header.
    user = User.objects.get(pk=request.user.pk or 0)
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(user=User.objects.get(pk=user.pk), **form.cleaned_data)
        except ValidationError as exc:
            for name, errors in exc.error_dict.items():
                field = name if name in form.fields and name != NON_FIELD_ERRORS else None
                form.add_error(field, ValidationError(errors))
        else:
            messages.success(request, "Your profile has been saved.")
            return redirect("accounts:profile")
    return render(request, "account/profile.html", {"form": form})
