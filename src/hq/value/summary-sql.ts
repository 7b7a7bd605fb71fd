/**
 * The sufficient statistics of the customer-value models computed where the
 * transactions are, in plain PostgreSQL (also PGlite; nothing beyond window
 * functions and GROUP BY, so a distributed PostgreSQL runs it as well).
 *
 * `purchases` is any relation (a table name or a parenthesised SELECT) with
 * columns customer_id, day (date, in the chain's time zone) and amount.
 * Parameters: $1 the calibration end (date, inclusive), $2 the days per time
 * unit (7 for weeks, 1 for days). Same conventions as the CLI
 * (src/shared/value/summaries.ts): same-day purchases merged, the first
 * purchase not counted, t_x and T from the first purchase, z̄ the mean of the
 * repeat purchase-days.
 */

function customerSummaries(purchases: string): string {
  return `
    WITH purchase_days AS (
      SELECT customer_id, day, sum(amount) AS amount
      FROM ${purchases} AS p
      WHERE day <= $1::date
      GROUP BY customer_id, day
    ), ranked AS (
      SELECT customer_id, day, amount,
             row_number() OVER (PARTITION BY customer_id ORDER BY day) AS k
      FROM purchase_days
    )
    SELECT customer_id,
           count(*) - 1 AS x,
           (max(day) - min(day))::float8 / $2::float8 AS t_x,
           ($1::date - min(day))::float8 / $2::float8 AS t,
           min(day) AS birth,
           avg(amount) FILTER (WHERE k > 1)::float8 AS zbar
    FROM ranked
    GROUP BY customer_id`;
}

/** One row per customer: customer_id, x, t_x, t, birth, zbar (null when x = 0). */
export function customerSummarySql(purchases: string): string {
  return `${customerSummaries(purchases)}\n    ORDER BY customer_id`;
}

/** One row per distinct (x, t_x, t) with n, the customers sharing it: what the fits take. */
export function groupedSummarySql(purchases: string): string {
  return `
    SELECT x::int AS x, t_x, t, count(*)::int AS n
    FROM (${customerSummaries(purchases)}) AS summary
    GROUP BY x, t_x, t
    ORDER BY x, t_x, t`;
}
