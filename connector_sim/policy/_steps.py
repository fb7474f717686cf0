"""Read orchestration steps, user journeys, sub journeys, preconditions and validation references.

Functions of a ``PolicyReader`` (its line numbers and settings filling), split from ``_reader``
so that each module keeps one job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Tuple
from xml.etree.ElementTree import Element

from ..errors import PolicyError
from ._model import OrchestrationStep, Precondition, ValidationReference

if TYPE_CHECKING:
    from ._reader import PolicyFile, PolicyReader

__all__ = ["journeys", "preconditions", "step", "validation"]


def preconditions(reader: PolicyReader, element: Element) -> Tuple[Precondition, ...]:
    """The Preconditions of a step or validation profile."""
    block = element.find("Preconditions")
    if block is None:
        return ()
    return tuple(
        Precondition(reader.attr(p, "Type") or "", reader.boolean(p, "ExecuteActionsIf", True),
                     tuple(reader.text(v) or "" for v in p.findall("Value")), reader.text(p.find("Action")))
        for p in block.findall("Precondition"))


def validation(reader: PolicyReader, element: Element) -> ValidationReference:
    """One ValidationTechnicalProfile reference."""
    return ValidationReference(
        reader.require(element, "ReferenceId"), reader.boolean(element, "ContinueOnError", False),
        reader.boolean(element, "ContinueOnSuccess", True), preconditions(reader, element), reader.name,
        reader.line(element))


def journeys(reader: PolicyReader, block: Element, tag: str, into: Dict[str, List[OrchestrationStep]],
             policy: PolicyFile) -> None:
    """Every UserJourney (or SubJourney) of a block, by Id."""
    for journey in block.findall(tag):
        journey_id = reader.require(journey, "Id")
        policy.journey_lines.setdefault(journey_id, reader.line(journey))
        if tag == "SubJourney":
            policy.sub_journey_types[journey_id] = reader.attr(journey, "Type") or "Call"
        steps = journey.find("OrchestrationSteps")
        into[journey_id] = [step(reader, s) for s in steps.findall("OrchestrationStep")] if steps is not None else []


def step(reader: PolicyReader, element: Element) -> OrchestrationStep:
    """One OrchestrationStep."""
    order_text = reader.require(element, "Order")
    try:
        order = int(order_text)
    except ValueError:
        raise PolicyError(f"OrchestrationStep Order={order_text!r} is not a number", file=reader.name,
                          line=reader.line(element)) from None
    exchanges = element.find("ClaimsExchanges")
    exchange_elements = exchanges.findall("ClaimsExchange") if exchanges is not None else []
    journey_list = element.find("JourneyList")
    candidates = journey_list.findall("Candidate") if journey_list is not None else []
    return OrchestrationStep(
        order, reader.attr(element, "Type") or "",
        [t for t in (reader.attr(e, "TechnicalProfileReferenceId") for e in exchange_elements) if t],
        reader.name, reader.line(element), preconditions(reader, element),
        tuple(reader.attr(e, "Id") or "" for e in exchange_elements),
        tuple(s for s in (reader.attr(c, "SubJourneyReferenceId") for c in candidates) if s))
