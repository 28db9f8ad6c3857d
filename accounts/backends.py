from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

UserModel = get_user_model()


class OrganisationBackend(ModelBackend):
    """Django's backend, loading the user's organisation with the user.

    Every page shows the user's organisation and every access check needs it:
    one join here instead of a query of its own on each request. (Not a
    default manager's select_related: PostgreSQL refuses SELECT … FOR UPDATE,
    which update_or_create uses, on the nullable side of an outer join.)
    """

    def get_user(self, user_id):
        try:
            user = UserModel._default_manager.select_related("organisation").get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
