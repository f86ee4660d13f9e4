"""What a data team would write in pandas instead of Kalla: the one-to-one recipe (a payment's
reference_number equals the invoice_id and the amounts differ by at most 0.02), both anti joins, and
the three result files. Amounts are read as text and compared in integer cents, so the counts are exact
and equal Kalla's. Debian ships no pyarrow, so the results are written as CSV, not Parquet.
Prints {"matched_count", "unmatched_left_count", "unmatched_right_count"} and its own peak RSS and CPU time
as JSON (getrusage at exit, as the Node children report theirs).

usage: pandas-match.py --invoices invoices.csv --payments payments.csv --out DIR [--tolerance-cents 2]
"""
import argparse
import json
import os
import resource

import pandas as pd


def cents(text):
    """Exact integer cents from amounts written like 1234.5 or -0.07 (no floating point on the way)."""
    negative = text.str.startswith('-')
    parts = text.str.lstrip('-').str.split('.', n=1, expand=True)
    whole = parts[0].astype('int64')
    fraction = parts[1].fillna('').str.ljust(2, '0').astype('int64') if parts.shape[1] > 1 else 0
    value = whole * 100 + fraction
    return value.where(~negative, -value)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--invoices', required=True)
    parser.add_argument('--payments', required=True)
    parser.add_argument('--out', required=True)
    parser.add_argument('--tolerance-cents', type=int, default=2)
    args = parser.parse_args()

    invoices = pd.read_csv(args.invoices, dtype=str, keep_default_na=False)
    payments = pd.read_csv(args.payments, dtype=str, keep_default_na=False)
    invoices['amount_cents'] = cents(invoices['amount'])
    payments['paid_cents'] = cents(payments['paid_amount'])

    pairs = invoices[['invoice_id', 'amount', 'amount_cents']].merge(
        payments[['payment_id', 'reference_number', 'paid_amount', 'paid_cents']],
        left_on='invoice_id', right_on='reference_number', how='inner')
    matched = pairs[(pairs['amount_cents'] - pairs['paid_cents']).abs() <= args.tolerance_cents]
    matched = matched[['invoice_id', 'payment_id', 'amount', 'paid_amount']].rename(columns={'amount': 'invoice_amount'})

    unmatched_left = invoices[~invoices['invoice_id'].isin(matched['invoice_id'])].drop(columns=['amount_cents'])
    unmatched_right = payments[~payments['payment_id'].isin(matched['payment_id'])].drop(columns=['paid_cents'])

    os.makedirs(args.out, exist_ok=True)
    matched.to_csv(os.path.join(args.out, 'matched.csv'), index=False)
    unmatched_left.to_csv(os.path.join(args.out, 'unmatched_left.csv'), index=False)
    unmatched_right.to_csv(os.path.join(args.out, 'unmatched_right.csv'), index=False)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        'matched_count': int(len(matched)),
        'unmatched_left_count': int(len(unmatched_left)),
        'unmatched_right_count': int(len(unmatched_right)),
        'max_rss_kb': usage.ru_maxrss,
        'cpu_ms': round((usage.ru_utime + usage.ru_stime) * 1000),
    }))


if __name__ == '__main__':
    main()
