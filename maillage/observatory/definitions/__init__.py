"""The questionnaire as data, lowest room of the observatory: no ORM, imports no other room.

`questionnaire` (the frozen dataclasses and the YAML format), `builder` (files, includes, `extends`; the way in:
`load_definition`, `shipped_definition`) with its readers `questions`, `rules`, `fields` and `yaml_marks`,
`checker` (what needs the whole questionnaire), `sources` (a questionnaire's files as texts, and the definition
read back from the texts kept in the database), `values` (reading and writing an answer), `validation` (errors,
warnings, conditions, progress of a set of answers).
"""
