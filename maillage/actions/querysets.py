from django.db import models


class ActionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state="published")

    def for_department(self, department):
        return self.filter(structure__department=department)

    def flagged_as_duplicates(self):
        return self.filter(probable_duplicate_of__isnull=False)

    def with_export_relations(self):
        """Everything the open-data serialiser reads, in a fixed number of queries."""
        return self.select_related("structure__department", "status", "territory").prefetch_related(
            "actiondimension_set__item",
            "actionkeyword_set__item",
            "actioninitiative_set__item",
            "actionpublic_set__item",
            "actionpartner_set__item",
            "files",
        )
