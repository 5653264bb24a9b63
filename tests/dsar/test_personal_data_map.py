from dsar.personal_data_map import personal_data_map, stale_declarations, unclassified_fields


def test_every_model_field_is_classified():
    assert unclassified_fields() == []


def test_no_declaration_names_a_field_that_does_not_exist():
    assert stale_declarations() == []


def test_the_map_knows_the_owner_email_is_personal_contact_data():
    field = personal_data_map()["accounts.User"]["email"]
    assert field.personal and field.category == "contact"
