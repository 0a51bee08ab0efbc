INVOICES = "billing-invoices"
CUSTOMERS = "billing-customers"
LEDGER = "billing-ledger"
