"""Validates JSON instances against a JSON Schema (python3-jsonschema from Debian).

usage: validate_schema.py SCHEMA INSTANCES valid|invalid
INSTANCES is a JSON array. Exits 0 when every instance is valid (or, with `invalid`, when every
instance is rejected), 1 otherwise, printing what did not match the expectation.
"""
import json
import sys

import jsonschema


def main() -> int:
    schema_path, instances_path, expect = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    with open(instances_path, encoding="utf-8") as f:
        instances = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=jsonschema.FormatChecker())
    failures = 0
    for i, instance in enumerate(instances):
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
        if expect == "valid" and errors:
            failures += 1
            print(f"instance {i} should be valid: {errors[0].message}")
        if expect == "invalid" and not errors:
            failures += 1
            print(f"instance {i} should be invalid: {json.dumps(instance)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
