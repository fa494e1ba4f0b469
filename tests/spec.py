"""SPEC.md written out by hand, independently of rules/: the contract the tests hold the
rules to. If a rule file drifts from SPEC.md, the comparison with this oracle fails."""

from __future__ import annotations

from typing import Any

TRI = ("yes", "no", "unsure")
INJURIES = ("none", "fall", "vehicle", "sport_or_blow", "other_accident")
FALL_DIRECTIONS = ("forward", "backward", "sideways", "unsure")
SPINE = ("none", "disc_or_nerve", "surgery_or_fusion", "instability_or_misalignment", "unsure")

# SPEC.md section 1: id -> (type, domain, asked when injury is ...)
ALWAYS, AFTER_INJURY, AFTER_FALL = "always", "injury != none", "injury == fall"
QUESTIONS: dict[str, tuple[str, Any, str]] = {
    "age": ("int", (0, 120), ALWAYS),
    "injury": ("enum", INJURIES, ALWAYS),
    "days_since_injury": ("int", (0, 3650), AFTER_INJURY),
    "fall_direction": ("enum", FALL_DIRECTIONS, AFTER_FALL),
    "head_injury": ("tri", TRI, AFTER_INJURY),
    "neuro_symptoms": ("tri", TRI, ALWAYS),
    "meningitis_signs": ("tri", TRI, ALWAYS),
    "bladder_bowel": ("tri", TRI, ALWAYS),
    "vascular_signs": ("tri", TRI, ALWAYS),
    "dangerous_mechanism": ("tri", TRI, AFTER_INJURY),
    "midline_tenderness": ("tri", TRI, ALWAYS),
    "can_rotate_45": ("tri", TRI, AFTER_INJURY),
    "possible_fracture": ("tri", TRI, AFTER_INJURY),
    "bone_or_joint_pain": ("tri", TRI, ALWAYS),
    "known_spine_problem": ("enum", SPINE, ALWAYS),
    "serious_history": ("tri", TRI, ALWAYS),
    "bone_or_joint_disease": ("tri", TRI, ALWAYS),
    "blood_thinners": ("tri", TRI, AFTER_INJURY),
    "intoxicated": ("tri", TRI, AFTER_INJURY),
    "sore_back": ("tri", TRI, ALWAYS),
    "sore_front": ("tri", TRI, ALWAYS),
    "low_back_pain": ("tri", TRI, ALWAYS),
}

OUTCOMES = {
    ("red_flag", "emergency"): 5,
    ("red_flag", "clinician"): 4,
    ("unclear", "clinician"): 4,
    ("traditional_whiplash", "avoid_technique"): 3,
    ("reverse_whiplash", "technique"): 0,
    ("general_soreness", "technique"): 0,
}
URGENCY = {"technique": 0, "avoid_technique": 1, "clinician": 2, "emergency": 3}
CAUTION_IDS = (
    "stop_if_pain",
    "soft_ball",
    "no_traction",
    "no_foam_roller",
    "recent_injury",
    "warning_signs",
)
JSON_KEYS = (
    "outcome",
    "disposition",
    "exit_code",
    "headline",
    "reasons",
    "cautions",
    "steps",
    "see_also",
    "rules_version",
    "disclaimer",
)

# The red-flag questions whose yes (or unsure) alone means emergency care (SPEC.md section 2.1).
EMERGENCY_ANY_TIME = ("meningitis_signs", "bladder_bowel", "vascular_signs")
# ...and whose yes (or unsure) alone means at least a clinician.
CLINICIAN_ANY_TIME = (
    "midline_tenderness",
    "bone_or_joint_pain",
    "serious_history",
    "bone_or_joint_disease",
)


def is_asked(key: str, answers: dict[str, Any]) -> bool:
    when = QUESTIONS[key][2]
    if when == AFTER_INJURY:
        return answers.get("injury") != "none"
    if when == AFTER_FALL:
        return answers.get("injury") == "fall"
    return True


def effective(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers to asked questions only, with JSON booleans read as yes/no."""
    spelled = {True: "yes", False: "no"}
    return {
        k: spelled.get(v, v) if isinstance(v, bool) else v
        for k, v in answers.items()
        if is_asked(k, answers)
    }


def _flag(v: Any) -> bool:
    return v in ("yes", "unsure")


def oracle(raw: dict[str, Any]) -> tuple[str, str, set[str]]:
    """SPEC.md sections 2 and 3 as plain if/else: (outcome, disposition, caution ids)."""
    a = effective(raw)
    injured = a["injury"] != "none"
    days = a.get("days_since_injury")
    ccr = injured and (
        a["age"] >= 65 or _flag(a["dangerous_mechanism"]) or a["can_rotate_45"] in ("no", "unsure")
    )
    emergency = (
        any(_flag(a.get(k)) for k in ("head_injury", *EMERGENCY_ANY_TIME))
        or (injured and _flag(a["neuro_symptoms"]))
        or (ccr and days <= 2)
    )
    if emergency:
        return "red_flag", "emergency", set()
    clinician = (
        (not injured and _flag(a["neuro_symptoms"]))
        or (ccr and days > 2)
        or (
            injured
            and any(_flag(a[k]) for k in ("possible_fracture", "blood_thinners", "intoxicated"))
        )
        or a["age"] < 16
        or any(_flag(a[k]) for k in CLINICIAN_ANY_TIME)
        or a["known_spine_problem"]
        in ("surgery_or_fusion", "instability_or_misalignment", "unsure")
    )
    if clinician:
        return "red_flag", "clinician", set()
    back, front, injury = a["sore_back"], a["sore_front"], a["injury"]
    if front == "yes" or injury == "vehicle" or a.get("fall_direction") == "backward":
        return "traditional_whiplash", "avoid_technique", set()
    accident = (injury == "fall" and a["fall_direction"] in ("forward", "sideways")) or injury in (
        "sport_or_blow",
        "other_accident",
    )
    if back == "yes" and front == "no" and accident:
        outcome = "reverse_whiplash"
    elif (back == "yes" and front == "no" and injury == "none") or (
        injury == "none" and back == "no" and front == "no"
    ):
        outcome = "general_soreness"
    else:
        return "unclear", "clinician", set()
    cautions = {"stop_if_pain", "soft_ball"}
    if a["known_spine_problem"] == "disc_or_nerve":
        cautions.add("no_traction")
    if _flag(a["low_back_pain"]):
        cautions.add("no_foam_roller")
    if days is not None and days <= 1:
        cautions.add("recent_injury")
    if injured:
        cautions.add("warning_signs")
    return outcome, "technique", cautions


# A face-first fall yesterday with a sore back of the neck: reverse whiplash, no red flag.
BASELINE: dict[str, Any] = {
    "age": 40,
    "injury": "fall",
    "days_since_injury": 1,
    "fall_direction": "forward",
    "head_injury": "no",
    "neuro_symptoms": "no",
    "meningitis_signs": "no",
    "bladder_bowel": "no",
    "vascular_signs": "no",
    "dangerous_mechanism": "no",
    "midline_tenderness": "no",
    "can_rotate_45": "yes",
    "possible_fracture": "no",
    "bone_or_joint_pain": "no",
    "known_spine_problem": "none",
    "serious_history": "no",
    "bone_or_joint_disease": "no",
    "blood_thinners": "no",
    "intoxicated": "no",
    "sore_back": "yes",
    "sore_front": "no",
    "low_back_pain": "no",
}

# Desk work, no injury: only the always-asked questions.
NO_INJURY: dict[str, Any] = {k: v for k, v in BASELINE.items() if QUESTIONS[k][2] == ALWAYS} | {
    "injury": "none"
}
