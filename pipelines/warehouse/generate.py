"""`python -m pipelines.warehouse.generate`: write the committed files made from the data contract
(sql/sources.yml, macros/table3.sql, sql/staging/stg_request_totals.yml) after a change to
pipelines/warehouse/contract.py or to table 3's rows (pipelines/record.py)."""
from pipelines.warehouse.contract import write_generated

if __name__ == "__main__":
    for path in write_generated():
        print(f"wrote {path}")
