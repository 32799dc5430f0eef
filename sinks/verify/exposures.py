# ruff: noqa: S608  (SQL assembled from this module's constants only)
"""The exposure counters in SQL: `judge._exposure` over the stored events of each exposure's
conversation (its latest intent at or before it, reactions naming it, feedback on it or its
turn), counted in the exposure's own minute and surface as `contributions._exposure` does.

Where attribution breaks a tie between records of one instant by their Python repr (two
ratings of one exposure, two exposure events with one id), the SQL orders by the same fields in
the order the repr shows them; the schema examples, all in one instant, exercise this.
"""


def fixed(expression: str) -> str:
    """`counters.fixed` of a Float64: its shortest decimal form (Python's repr, ClickHouse's
    toString) rounded half-even to 6 places."""
    return f"roundBankers(toDecimal128(toString({expression}), 18), 6)"


# The winning exposure record per (tenant, conversation, exposure_id): the earliest, as
# ConversationState keeps it.
_EXPOSURES = """
    SELECT tenant_id, conversation_id, exposure_id, occurred_at, turn_index, surface,
           surface_id, offer_category, relevance
    FROM events FINAL
    WHERE event_type = 'exposure'
    ORDER BY tenant_id, conversation_id, exposure_id, occurred_at, isNull(turn_index),
             toString(turn_index), surface, surface_id
    LIMIT 1 BY tenant_id, conversation_id, exposure_id
"""
# Per instant the intent that sorts last by (turn, category, confidence), so that an ASOF JOIN
# (the latest instant at or before the exposure) finds `judge.intent_at`'s intent.
_INTENTS = """
    SELECT tenant_id, conversation_id, occurred_at AS intent_at, true AS found,
           argMax(tuple(ifNull(category, ''), ifNull(commercial, false)),
                  tuple(ifNull(toInt64(turn_index), -1), category, confidence)) AS top
    FROM events FINAL
    WHERE event_type = 'intent_detected'
    GROUP BY tenant_id, conversation_id, occurred_at
"""
_REACTIONS = """
    SELECT tenant_id, conversation_id, exposure_id, true AS found,
           countIf(event_type = 'engagement') > 0 AS acted,
           countIf(event_type = 'engagement' AND action NOT IN ('click', 'expand')) > 0 AS deep,
           countIf(event_type = 'app_invoked') > 0 AS opened,
           minIf(occurred_at, event_type = 'app_invoked') AS opened_at,
           groupUniqArrayIf(assumeNotNull(app_id), event_type = 'app_invoked') AS apps,
           countIf(event_type = 'exposure_dismissed' AND action = 'hide') > 0 AS hidden,
           countIf(event_type = 'exposure_dismissed' AND action = 'report') > 0 AS reported
    FROM events FINAL
    WHERE event_type IN ('engagement', 'app_invoked', 'exposure_dismissed')
      AND exposure_id IS NOT NULL
    GROUP BY tenant_id, conversation_id, exposure_id
"""
_TASKS = """
    SELECT tenant_id, conversation_id,
           groupArray(tuple(assumeNotNull(app_id), occurred_at)) AS done
    FROM events FINAL
    WHERE event_type = 'app_task_completed' AND success
    GROUP BY tenant_id, conversation_id
"""
# As `records.Feedback`: on an exposure (exposure_id set, no turn) or on a turn (the reverse).
# The sort key is (time, then the record's fields as its repr orders them).
_FEEDBACK = """
    SELECT tenant_id, conversation_id,
           groupArray(tuple(
               if(target = 'exposure', exposure_id, NULL) AS on_exposure,
               if(target = 'turn', turn_index, NULL) AS on_turn,
               thumb, stars,
               tuple(occurred_at, isNull(on_exposure), ifNull(on_exposure, ''), isNull(on_turn),
                     toString(on_turn), isNull(thumb), ifNull(thumb, ''), isNull(stars),
                     toString(stars), isNull(reason), ifNull(reason, ''))
           )) AS given
    FROM events FINAL
    WHERE event_type = 'feedback'
    GROUP BY tenant_id, conversation_id
"""
EXPOSURE_PART = f"""
    SELECT x.tenant_id AS k_tenant, x.surface AS k_surface, x.surface_id AS k_surface_id,
           toStartOfMinute(x.occurred_at) AS k_window,
           1 AS n_exposures,
           i.found AND if(mapContains(c.intent_map, i.top.1),
                          has(c.intent_map[i.top.1], x.offer_category),
                          i.top.1 = x.offer_category) AS n_intent_matched_exposures,
           i.found AND i.top.2 AS n_exposures_at_intent,
           if(n_exposures_at_intent, {fixed("x.relevance")}, 0) AS n_relevance_sum_at_intent,
           r.acted OR r.opened AS n_engaged_exposures,
           r.deep OR r.opened AS n_deep_engaged_exposures,
           r.opened AND arrayExists(t -> has(r.apps, t.1) AND t.2 >= r.opened_at, k.done)
               AS n_task_completed_exposures,
           arraySort(g -> g.5, arrayFilter(
               g -> g.1 = x.exposure_id OR (g.2 IS NOT NULL AND g.2 = x.turn_index), f.given
           )) AS mine,
           if(empty(mine), '', multiIf(
               mine[-1].3 IS NOT NULL, mine[-1].3,
               ifNull(mine[-1].4, 3) >= 4, 'up',
               ifNull(mine[-1].4, 3) <= 2, 'down',
               'neutral')) AS rating,
           rating = 'up' AS n_feedback_up,
           rating = 'down' AS n_feedback_down,
           rating != '' AS n_feedback_rated,
           r.hidden AS n_dismissals,
           r.reported AS n_reports
    FROM ({_EXPOSURES}) AS x
    ASOF LEFT JOIN ({_INTENTS}) AS i
        ON x.tenant_id = i.tenant_id AND x.conversation_id = i.conversation_id
        AND x.occurred_at >= i.intent_at
    LEFT JOIN ({_REACTIONS}) AS r
        ON x.tenant_id = r.tenant_id AND x.conversation_id = r.conversation_id
        AND x.exposure_id = r.exposure_id
    LEFT JOIN ({_TASKS}) AS k
        ON x.tenant_id = k.tenant_id AND x.conversation_id = k.conversation_id
    LEFT JOIN ({_FEEDBACK}) AS f
        ON x.tenant_id = f.tenant_id AND x.conversation_id = f.conversation_id
    LEFT JOIN rules AS c
        ON x.tenant_id = c.tenant_id AND x.surface = c.surface AND x.surface_id = c.surface_id
"""
