"""Finance analysts' write-off tool; they prefer PartiQL."""
import boto3

client = boto3.client("dynamodb")


def write_off(customer_id: str, invoice_no: int) -> None:
    # PartiQL UPDATE: DDB110's business, not DDB101's.
    client.execute_statement(  # label: ok
        Statement='UPDATE "billing-invoices" SET status = ? WHERE pk = ? AND sk = ?',
        Parameters=[{"S": "WRITTEN_OFF"}, {"S": f"CUST#{customer_id}"}, {"S": f"INV#{invoice_no:08d}"}],
    )
