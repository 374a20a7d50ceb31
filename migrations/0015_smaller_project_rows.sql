-- Smaller project rows (issue 13): the lines document was 23 KB per
-- 50-line job, more than half of it key names, all of it compressed,
-- copied, written to the project's TOAST table and logged for every job.
-- * A lines document names a line's fields by short keys and leaves out
--   the keys a line has no value for (an empty package, value,
--   manufacturer or description; the order fields of a line with no offer
--   chosen; the decision of a line not decided). A decided line's
--   status follows from its decision (as the original mapped it), and a
--   decision without words is its status alone ("fd":"approved" for
--   {"status":"approved","agent_name":"final_decision"}; the API renders
--   the words, as before). bomd_lines() reads a
--   document of either form as the columns it had, a key left out as
--   null; line_items gives the four text fields as '' as before (the
--   API's document already did). Rows written before read as before.
-- * A project's row kept only about 2 KB inline, the rest of its
--   documents moved to its TOAST table in chunks of 2 KB, each chunk a
--   heap tuple and an index entry of its own. Rows up to a page now keep
--   their compressed basis, BOM and trace inline. Only rows written from
--   now on are laid out so.

ALTER TABLE projects SET (toast_tuple_target = 8160);

-- short key (stage_persist.c) = column: n line_no, sl source_line,
-- d designators, q quantity, m mpn, mf manufacturer, ds description,
-- pk package, v value, s status, sm selected_mpn, ss selected_supplier,
-- oq order_quantity, up unit_price_micros, xp extended_price_micros,
-- c currency, fd final_decision
CREATE FUNCTION bomd_lines(doc json) RETURNS TABLE (line_no int,
    source_line int, designators text[], quantity bigint, mpn text,
    manufacturer text, description text, package text, value text,
    status text, selected_mpn text, selected_supplier text,
    order_quantity bigint, unit_price_micros bigint,
    extended_price_micros bigint, currency text, final_decision json)
LANGUAGE sql IMMUTABLE AS $$
	SELECT COALESCE(x.n, x.line_no), COALESCE(x.sl, x.source_line),
	    COALESCE(x.d, x.designators), COALESCE(x.q, x.quantity),
	    COALESCE(x.m, x.mpn), COALESCE(x.mf, x.manufacturer),
	    COALESCE(x.ds, x.description), COALESCE(x.pk, x.package),
	    COALESCE(x.v, x.value),
	    COALESCE(x.s, x.status, CASE COALESCE(x.fd->>'status',
		x.fd#>>'{}') WHEN 'approved' THEN 'pending_purchase'
		WHEN 'escalated' THEN 'pending_final_decision'
		ELSE 'failed' END),
	    COALESCE(x.sm, x.selected_mpn),
	    COALESCE(x.ss, x.selected_supplier),
	    COALESCE(x.oq, x.order_quantity),
	    COALESCE(x.up, x.unit_price_micros),
	    COALESCE(x.xp, x.extended_price_micros),
	    COALESCE(x.c, x.currency),
	    CASE WHEN json_typeof(x.fd) = 'string' THEN ('{"status":' ||
		x.fd::text || ',"agent_name":"final_decision"}')::json
		ELSE COALESCE(x.fd, x.final_decision) END
	FROM json_to_recordset(doc) AS x(n int, line_no int, sl int,
	    source_line int, d text[], designators text[], q bigint,
	    quantity bigint, m text, mpn text, mf text, manufacturer text,
	    ds text, description text, pk text, package text, v text,
	    value text, s text, status text, sm text, selected_mpn text,
	    ss text, selected_supplier text, oq bigint, order_quantity bigint,
	    up bigint, unit_price_micros bigint, xp bigint,
	    extended_price_micros bigint, c text, currency text, fd json,
	    final_decision json)
$$;

CREATE OR REPLACE VIEW line_items WITH (security_invoker = true) AS
SELECT p.client_id, p.project_id, x.line_no, x.source_line,
    x.designators, x.quantity, x.mpn,
    COALESCE(x.manufacturer, '') AS manufacturer,
    COALESCE(x.description, '') AS description,
    COALESCE(x.package, '') AS package, COALESCE(x.value, '') AS value,
    x.status, x.selected_mpn, x.selected_supplier,
    x.order_quantity, x.unit_price_micros, x.extended_price_micros,
    x.currency, x.final_decision, p.created_at, p.updated_at
FROM projects p CROSS JOIN LATERAL bomd_lines(p.lines::json) AS x;

CREATE OR REPLACE VIEW trace_steps WITH (security_invoker = true) AS
SELECT p.client_id, p.project_id, s.n AS id, s.x->>'job_id' AS job_id,
    s.x->>'step' AS step, s.x->>'agent' AS agent,
    s.x->>'message' AS message,
    COALESCE(s.x->>'reasoning', l.reasoning, '') AS reasoning,
    COALESCE(s.x->'references', '[]'::json) AS refs,
    (s.x->>'timestamp')::timestamptz AS created_at
FROM projects p CROSS JOIN LATERAL
    json_array_elements(p.trace::json) WITH ORDINALITY AS s(x, n)
LEFT JOIN LATERAL (SELECT COALESCE(e->'fd',
    e->'final_decision')->>'reasoning' AS reasoning
    FROM json_array_elements(p.lines::json) WITH ORDINALITY AS d(e, k)
    WHERE k = (s.x->>'line')::int) l ON true;
