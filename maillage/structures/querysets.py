from django.db import models


class StructureQuerySet(models.QuerySet):
    def for_department(self, department):
        return self.filter(department=department)

    def with_flagged_siret(self):
        return self.filter(siret_flagged=True)
