"""Conversion, money, trust and joinability counters from hand-written conversations."""

from decimal import Decimal

from convtrack.contracts import ContractBook
from convtrack.streams.metrics import Amounts, SurfaceCounters
from tests.streams.attribute.events import (
    ad,
    adjusted,
    conversion,
    exposure,
    feedback,
    intent,
    start,
)
from tests.streams.metrics.support import run, window

AD = ("ad", "spring-sale")


def eur(amount: str) -> Amounts:
    return Amounts.of([("EUR", Decimal(amount))])


def test_an_assisted_qualified_conversion_counts_at_the_credited_ad() -> None:
    windows = run(
        [
            start(0),
            intent(1, "hotels", turn=1),
            exposure(2, "e1", turn=1),
            ad(3, "a1", turn=2),
            conversion(10, "o1", value="100.00"),
        ]
    )
    assert windows[window(10, *AD)] == SurfaceCounters(
        conversions=1,
        attributed_conversions=1,
        qualified_conversions=1,
        assisted_conversions=1,  # e1 touched before the credited (last) touch a1
        time_to_convert_seconds=Decimal(540),  # intent at minute 1, conversion at 10
        time_to_convert_count=1,
        value=eur("100.00"),
        net_value=eur("100.00"),
        quality_weighted_conversions=Decimal(1),
    )
    # Trust-eligible at the surface that reported the conversion (the vertical).
    assert windows[window(10)] == SurfaceCounters(converters=1)


def test_an_unattributed_conversion_naming_an_unknown_exposure() -> None:
    windows = run([conversion(20, "o2", conv="c2", value="50.00", exposure_id="gone")])
    assert windows[window(20)] == SurfaceCounters(
        conversions=1,
        unattributed_conversions=1,
        explicit_exposure_missing=1,
        value=eur("50.00"),
        net_value=eur("50.00"),
        converters=1,
        conversations=1,
    )


def test_partial_refund_and_negative_feedback() -> None:
    windows = run(
        [
            intent(30, "hotels", conv="c3"),
            exposure(31, "g1", conv="c3"),
            conversion(35, "o3", conv="c3", value="80.00", exposure_id="g1"),
            adjusted(40, "refund", "30.00", conversion_id="o3", conv="c3"),
            feedback(36, exposure_id="g1", thumb="down", conv="c3"),
        ]
    )
    assert windows[window(35)] == SurfaceCounters(
        conversions=1,
        attributed_conversions=1,
        regretted_conversions=1,  # negative feedback on the credited exposure
        time_to_convert_seconds=Decimal(300),
        time_to_convert_count=1,
        explicit_exposure_joined=1,
        value=eur("80.00"),
        net_value=eur("50.00"),
        refunded=eur("30.00"),
        converters=1,
    )
    assert windows[window(31)].feedback_down == 1


def test_a_cancel_is_a_reversal_and_a_regret() -> None:
    windows = run(
        [
            intent(40, "hotels", conv="c4"),
            exposure(41, "h1", conv="c4"),
            conversion(45, "o4", conv="c4", value="60.00"),
            adjusted(50, "cancel", "60.00", conversion_id="o4", conv="c4"),
        ]
    )
    counters = windows[window(45)]
    assert (counters.conversions, counters.qualified_conversions) == (1, 0)
    assert (counters.reversals, counters.regretted_conversions) == (1, 1)
    assert (counters.net_value, counters.refunded) == (Amounts(), eur("60.00"))


def test_quality_weight_is_split_by_touch_under_linear_attribution() -> None:
    linear = ContractBook.from_tables({"attribution": {"model": "linear"}}, [])
    windows = run(
        [
            intent(0, "hotels"),
            exposure(1, "e1"),
            ad(2, "a1"),
            conversion(4, "o1", value="10.00"),
        ],
        linear,
    )
    # Credited to the heaviest touch on a tie, the latest: the ad.
    assert windows[window(4, *AD)].conversions == 1
    assert windows[window(4, *AD)].quality_weighted_conversions == Decimal("0.5")
    assert windows[window(4)].quality_weighted_conversions == Decimal("0.5")


def test_money_is_kept_per_currency() -> None:
    windows = run(
        [
            conversion(1, "o1", value="10.00"),
            conversion(1, "o2", value="25.50", currency="SEK"),
            conversion(1, "o3", value="5.00"),
        ]
    )
    assert windows[window(1)].value.as_dict() == {
        "EUR": Decimal("15.00"),
        "SEK": Decimal("25.50"),
    }


def test_a_returning_converter_counts_in_the_conversion_minute() -> None:
    windows = run(
        [
            start(0),
            conversion(5, "o1"),
            start(60 * 24, conv="c2"),  # the same user comes back the next day
            start(60 * 24 * 40, conv="c3"),  # and after the 30-day window: no second return
        ]
    )
    assert windows[window(5)].converters == 1
    assert windows[window(5)].returning_converters == 1
    assert windows[window(60 * 24)] == SurfaceCounters(conversations=1)
