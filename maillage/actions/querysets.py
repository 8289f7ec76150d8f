from django.db import models


class ActionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state="published")

    def for_department(self, department):
        return self.filter(structure__department=department)

    def flagged_as_duplicates(self):
        return self.filter(probable_duplicate_of__isnull=False)
