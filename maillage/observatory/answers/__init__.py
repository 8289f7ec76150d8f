"""The ways answers arrive, top room of the observatory: structures fill in and transmit (`filling`), past
campaigns are imported from a table (`past_table`, `past_import`). Each hands its answers over to `checks`."""
