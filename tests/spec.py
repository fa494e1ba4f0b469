"""SPEC.md (contract v3) written out by hand, independently of rules/ and the engine: the
contract the tests hold the rules to. If a rule file drifts from SPEC.md, the comparison with
this oracle fails. Section numbers in the comments are SPEC.md's."""

from __future__ import annotations

from typing import Any

TRI = ("yes", "no", "unsure")
INJURIES = ("none", "fall", "vehicle", "sport_or_blow", "other_accident")
FALL_DIRECTIONS = ("forward", "backward", "sideways", "unsure")
NEURO_ONSETS = ("sudden", "gradual", "unsure")
SPINE = ("none", "disc_or_nerve", "surgery_or_fusion", "instability_or_misalignment", "unsure")

# Section 1, "asked when" column. "Injured" means injury is not none; days = days_since_injury.
ALWAYS = "always"
AFTER_INJURY = "injured"
AFTER_FALL = "injury == fall"
NO_INJURY_ONLY = "injury == none"
AFTER_SIGNS = "vascular_signs or new_headache yes or unsure"
AFTER_NEURO = "neuro_symptoms yes or unsure"
RECENT_INJURY = "injured and days <= 14"
ROTATION_SAFE = "injured, age 16..64, spine none/disc_or_nerve, every gate question no"

# Section 1: id -> (type, domain, asked-when marker), in SPEC.md's table order. That order is
# dependency-safe: every question an asked-when condition reads comes before the question.
QUESTIONS: dict[str, tuple[str, Any, str]] = {
    "age": ("int", (0, 120), ALWAYS),
    "injury": ("enum", INJURIES, ALWAYS),
    "days_since_injury": ("int", (0, 3650), AFTER_INJURY),
    "fall_direction": ("enum", FALL_DIRECTIONS, AFTER_FALL),
    "chest_symptoms": ("tri", TRI, ALWAYS),
    "sudden_onset": ("tri", TRI, NO_INJURY_ONLY),
    "vascular_signs": ("tri", TRI, ALWAYS),
    "new_headache": ("tri", TRI, ALWAYS),
    "signs_recent": ("tri", TRI, AFTER_SIGNS),
    "meningitis_signs": ("tri", TRI, ALWAYS),
    "bladder_bowel": ("tri", TRI, ALWAYS),
    "neuro_symptoms": ("tri", TRI, ALWAYS),
    "neuro_onset": ("enum", NEURO_ONSETS, AFTER_NEURO),
    "head_injury": ("tri", TRI, AFTER_INJURY),
    "dangerous_mechanism": ("tri", TRI, AFTER_INJURY),
    "neck_mark": ("tri", TRI, AFTER_INJURY),
    "possible_fracture": ("tri", TRI, AFTER_INJURY),
    "blood_thinners": ("tri", TRI, AFTER_INJURY),
    "intoxicated": ("tri", TRI, RECENT_INJURY),
    "midline_tenderness": ("tri", TRI, ALWAYS),
    "bone_or_joint_disease": ("tri", TRI, ALWAYS),
    "known_spine_problem": ("enum", SPINE, ALWAYS),
    "can_rotate_45": ("tri", TRI, ROTATION_SAFE),
    "bone_or_joint_pain": ("tri", TRI, ALWAYS),
    "cancer_history": ("tri", TRI, ALWAYS),
    "infection_risk": ("tri", TRI, ALWAYS),
    "night_pain": ("tri", TRI, ALWAYS),
    "sore_back": ("tri", TRI, ALWAYS),
    "sore_front": ("tri", TRI, ALWAYS),
    "low_back_pain": ("tri", TRI, ALWAYS),
}

# Section 1: can_rotate_45 is asked only when all of these are no (and `intoxicated` too, where
# it is asked), besides injured, age 16..64 and known_spine_problem none or disc_or_nerve.
ROTATION_GATE = (
    "chest_symptoms",
    "vascular_signs",
    "new_headache",
    "meningitis_signs",
    "bladder_bowel",
    "neuro_symptoms",
    "head_injury",
    "dangerous_mechanism",
    "neck_mark",
    "possible_fracture",
    "midline_tenderness",
    "bone_or_joint_disease",
)
ROTATION_SPINE = ("none", "disc_or_nerve")

# Section 1: the tri questions whose "yes" is a red flag (section 2: "yes" means yes or unsure on
# every one of them; section 6 names chest_symptoms, sudden_onset and signs_recent among them).
# can_rotate_45 is the reverse (no is the red-flag answer); sore_back, sore_front and
# low_back_pain are pattern and caution questions, not red flags.
RED_FLAG_TRI = (
    *ROTATION_GATE,
    "sudden_onset",
    "signs_recent",
    "intoxicated",
    "blood_thinners",
    "bone_or_joint_pain",
    "cancer_history",
    "infection_risk",
    "night_pain",
)

# Section 2: (outcome, disposition) -> exit code.
OUTCOMES = {
    ("red_flag", "emergency"): 5,
    ("red_flag", "urgent"): 6,
    ("red_flag", "clinician"): 4,
    ("unclear", "clinician"): 4,
    ("traditional_whiplash", "avoid_technique"): 3,
    ("reverse_whiplash", "technique"): 0,
    ("general_soreness", "technique"): 0,
}
# Section 2: "Urgency order: emergency > urgent > clinician > avoid_technique > technique".
URGENCY = {"technique": 0, "avoid_technique": 1, "clinician": 2, "urgent": 3, "emergency": 4}
# Section 2, timeframe column (JSON null is None).
TIMEFRAMES: dict[str, str | None] = {
    "emergency": "now",
    "urgent": "today",
    "clinician": "soon",
    "avoid_technique": None,
    "technique": None,
}

# Section 3, in the table's order, with the outcomes each is for.
CAUTION_IDS = (
    "stop_if_pain",
    "soft_ball",
    "no_traction",
    "no_foam_roller",
    "front_of_neck",
    "recent_injury",
    "warning_signs",
)
CAUTIONS_FOR_BOTH = ("stop_if_pain", "front_of_neck", "recent_injury", "warning_signs")

# Section 4.
JSON_KEYS = (
    "outcome",
    "disposition",
    "exit_code",
    "timeframe",
    "headline",
    "reasons",
    "cautions",
    "steps",
    "see_also",
    "rules_version",
    "contract_version",
    "disclaimer",
)

# Section 2.1: the tri questions whose yes (or unsure) alone means emergency care, at any time.
# sudden_onset is not here: it is asked (and so counts) only when injury is none (section 1);
# vascular_signs is not here either: since v3 it needs signs_recent yes (SIGNS_RECENT_LEVEL).
EMERGENCY_ANY_TIME = ("chest_symptoms", "meningitis_signs", "bladder_bowel")
# Section 2.1: ...whose yes (or unsure) alone means emergency care whenever it is asked, which is
# only with injury none (section 1).
EMERGENCY_WITHOUT_INJURY = ("sudden_onset",)
# Section 2.2: ...whose yes (or unsure) alone means at least urgent care, at any time. Since v3,
# new_headache needs signs_recent yes (SIGNS_RECENT_LEVEL).
URGENT_ANY_TIME = ("cancer_history",)
# Sections 2.1-2.3: the questions signs_recent bounds in time (a yes to either asks it, section
# 1), with the disposition their yes gives when signs_recent is yes (or unsure). With signs_recent
# no, a yes to either gives red_flag/clinician (section 2.3). So a yes to either, alone, always
# gives at least red_flag/clinician.
SIGNS_RECENT_LEVEL = {"vascular_signs": "emergency", "new_headache": "urgent"}
SIGNS_RECENT_QUESTIONS = tuple(SIGNS_RECENT_LEVEL)
# Section 2.3 "at any time": ...whose yes (or unsure) alone means at least a clinician.
CLINICIAN_ANY_TIME = (
    "midline_tenderness",
    "bone_or_joint_pain",
    "night_pain",
    "infection_risk",
    "bone_or_joint_disease",
)


def timeframe(disposition: str) -> str | None:
    """Section 2's timeframe for a disposition: "now", "today", "soon" or None (JSON null)."""
    return TIMEFRAMES[disposition]


def _tri(value: Any) -> str | None:
    """A tri answer as SPEC spells it (JSON true/false read as yes/no); None if not a tri value."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value if isinstance(value, str) and value in TRI else None


def _int(key: str, answers: dict[str, Any]) -> int | None:
    """A valid int answer, or None when it is missing or invalid (bools are not ints here)."""
    value = answers.get(key)
    lo, hi = QUESTIONS[key][1]
    return value if type(value) is int and lo <= value <= hi else None


def _injured(answers: dict[str, Any]) -> bool:
    injury = answers.get("injury")
    return isinstance(injury, str) and injury in INJURIES and injury != "none"


def _rotation_test_is_asked(answers: dict[str, Any]) -> bool:
    """Section 1: injured, age 16..64, known_spine_problem none or disc_or_nerve, and every gate
    question no, with intoxicated counting only where it is asked."""
    age = _int("age", answers)
    spine = answers.get("known_spine_problem")
    return (
        _injured(answers)
        and age is not None
        and 16 <= age <= 64
        and isinstance(spine, str)
        and spine in ROTATION_SPINE
        and all(_tri(answers.get(key)) == "no" for key in ROTATION_GATE)
        and (not is_asked("intoxicated", answers) or _tri(answers.get("intoxicated")) == "no")
    )


def is_asked(key: str, answers: dict[str, Any]) -> bool:
    """Section 1's "asked when" for `key`, given the other answers (raw or effective; JSON
    booleans count as yes/no). A condition that reads a missing or invalid answer does not hold,
    so the question is not asked (and not reported missing: the root problem is)."""
    when = QUESTIONS[key][2]
    if when == ALWAYS:
        return True
    if when == AFTER_INJURY:
        return _injured(answers)
    if when == AFTER_FALL:
        return answers.get("injury") == "fall"
    if when == NO_INJURY_ONLY:
        return answers.get("injury") == "none"
    if when == AFTER_SIGNS:
        # Either one being yes or unsure is enough; a missing or invalid one simply does not
        # count towards it.
        return any(_tri(answers.get(key)) in ("yes", "unsure") for key in SIGNS_RECENT_QUESTIONS)
    if when == AFTER_NEURO:
        return _tri(answers.get("neuro_symptoms")) in ("yes", "unsure")
    if when == RECENT_INJURY:
        days = _int("days_since_injury", answers)
        return _injured(answers) and days is not None and days <= 14
    if when == ROTATION_SAFE:
        return _rotation_test_is_asked(answers)
    raise AssertionError(f"unknown asked-when marker {when!r}")


def effective(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to asked questions only, with JSON booleans on tri questions read as yes/no.
    Asked-ness is computed from the raw answers as given. That is dependency-safe: each condition
    reads only questions that are themselves asked whenever the condition can hold (sudden_onset
    reads injury, signs_recent reads vascular_signs and new_headache, all asked always), except
    `intoxicated`, which can_rotate_45's condition reads only where it is asked."""
    return {
        key: (_tri(value) if QUESTIONS[key][0] == "tri" and isinstance(value, bool) else value)
        for key, value in answers.items()
        if is_asked(key, answers)
    }


def _cautions(a: dict[str, Any], disposition: str) -> set[str]:
    """Section 3: the cautions whose condition holds; avoid_technique carries only those marked
    "both"; other dispositions carry none."""
    if disposition not in ("technique", "avoid_technique"):
        return set()
    injured = a["injury"] != "none"
    holds = {
        "stop_if_pain": True,
        "soft_ball": True,
        "no_traction": a["known_spine_problem"] == "disc_or_nerve",
        "no_foam_roller": a["low_back_pain"] in ("yes", "unsure"),
        "front_of_neck": True,
        "recent_injury": injured and a["days_since_injury"] in (0, 1),
        "warning_signs": True,
    }
    for_this = CAUTION_IDS if disposition == "technique" else CAUTIONS_FOR_BOTH
    return {cid for cid in for_this if holds[cid]}


def oracle(answers: dict[str, Any]) -> tuple[str, str, set[str]]:
    """SPEC.md sections 2 and 3 as plain if/else: (outcome, disposition, caution ids), for a
    valid answer set (skipped keys may be present; they play no part)."""
    a = effective(answers)

    def yes(key: str) -> bool:
        # Section 2: "'Yes' below means yes or unsure for every tri red-flag question." Keys of
        # skipped questions are not in `a`, so they never count.
        return a.get(key) in ("yes", "unsure")

    injured = a["injury"] != "none"
    days: Any = a["days_since_injury"] if injured else None  # read only when injured
    # Section 1: the rotation test fails for an injured person when can_rotate_45 is no or
    # unsure, or when it was not asked.
    rotation_fails = injured and (
        not is_asked("can_rotate_45", a) or a["can_rotate_45"] in ("no", "unsure")
    )

    # 2.1 Emergency (red_flag/emergency)
    # "chest_symptoms, sudden_onset, meningitis_signs, bladder_bowel yes" (sudden_onset is in `a`
    # only when injury is none, where it is asked)
    if any(
        yes(key) for key in ("chest_symptoms", "sudden_onset", "meningitis_signs", "bladder_bowel")
    ):
        return "red_flag", "emergency", set()
    # "vascular_signs yes and signs_recent yes" (signs_recent is asked whenever vascular_signs
    # is yes or unsure)
    if yes("vascular_signs") and yes("signs_recent"):
        return "red_flag", "emergency", set()
    # "head_injury yes, injured with days <= 14"
    if yes("head_injury") and injured and days <= 14:
        return "red_flag", "emergency", set()
    # "neuro_symptoms yes and any of: injured with days <= 14; neuro_onset sudden or unsure;
    # cancer_history yes; infection_risk yes"
    if yes("neuro_symptoms") and (
        (injured and days <= 14)
        or a["neuro_onset"] in ("sudden", "unsure")
        or yes("cancer_history")
        or yes("infection_risk")
    ):
        return "red_flag", "emergency", set()
    # "injured with days <= 2 and the rotation test fails"
    if injured and days <= 2 and rotation_fails:
        return "red_flag", "emergency", set()

    # 2.2 Urgent (red_flag/urgent)
    # "new_headache yes and signs_recent yes"
    if yes("new_headache") and yes("signs_recent"):
        return "red_flag", "urgent", set()
    # "cancer_history yes"
    if yes("cancer_history"):
        return "red_flag", "urgent", set()
    # "head_injury yes, injured with days > 14"
    if yes("head_injury") and injured and days > 14:
        return "red_flag", "urgent", set()
    # "injured with days <= 2 and blood_thinners yes"
    if injured and days <= 2 and yes("blood_thinners"):
        return "red_flag", "urgent", set()
    # "injured with 3 <= days <= 14 and the rotation test fails"
    if injured and 3 <= days <= 14 and rotation_fails:
        return "red_flag", "urgent", set()
    # "infection_risk yes together with night_pain yes"
    if yes("infection_risk") and yes("night_pain"):
        return "red_flag", "urgent", set()

    # 2.3 Clinician (red_flag/clinician)
    # "neuro_symptoms yes (when no emergency rule took it)"
    if yes("neuro_symptoms"):
        return "red_flag", "clinician", set()
    # "vascular_signs or new_headache yes with signs_recent no"
    if (yes("vascular_signs") or yes("new_headache")) and a["signs_recent"] == "no":
        return "red_flag", "clinician", set()
    # "injured with days > 14 and the rotation test fails"
    if injured and days > 14 and rotation_fails:
        return "red_flag", "clinician", set()
    # "injured with days > 2 and blood_thinners yes"
    if injured and days > 2 and yes("blood_thinners"):
        return "red_flag", "clinician", set()
    # "at any time: age < 16; midline_tenderness, bone_or_joint_pain, night_pain,
    # infection_risk, bone_or_joint_disease yes; known_spine_problem surgery_or_fusion,
    # instability_or_misalignment or unsure"
    if a["age"] < 16:
        return "red_flag", "clinician", set()
    if any(yes(key) for key in CLINICIAN_ANY_TIME):
        return "red_flag", "clinician", set()
    if a["known_spine_problem"] in ("surgery_or_fusion", "instability_or_misalignment", "unsure"):
        return "red_flag", "clinician", set()

    # 2.4 The pattern: the first bullet that matches decides. fall_direction is only in `a`
    # after a fall, so a skipped one plays no part.
    back, front, injury = a["sore_back"], a["sore_front"], a["injury"]
    direction = a.get("fall_direction")
    # "sore_front yes, or injury is vehicle, or fall_direction is backward"
    if front == "yes" or injury == "vehicle" or direction == "backward":
        outcome, disposition = "traditional_whiplash", "avoid_technique"
    # "sore_back yes and sore_front no, after a fall (forward or sideways), sport_or_blow or
    # other_accident"
    elif (
        back == "yes"
        and front == "no"
        and (
            (injury == "fall" and direction in ("forward", "sideways"))
            or injury in ("sport_or_blow", "other_accident")
        )
    ):
        outcome, disposition = "reverse_whiplash", "technique"
    # "sore_back yes and sore_front no with injury none", or "injury none and both sore_back
    # and sore_front no"
    elif (back == "yes" and front == "no" and injury == "none") or (
        injury == "none" and back == "no" and front == "no"
    ):
        outcome, disposition = "general_soreness", "technique"
    # "anything else (an unsure on the pattern questions, fall_direction unsure, no soreness at
    # all after an injury)"
    else:
        return "unclear", "clinician", set()

    # Section 3
    return outcome, disposition, _cautions(a, disposition)


# A face-first fall yesterday, age 40, every red flag no, can turn the head, sore at the back and
# not at the front: reverse whiplash. It carries exactly the questions asked in that situation
# (neuro_onset is not: neuro_symptoms is no; signs_recent is not: vascular_signs and new_headache
# are no; sudden_onset is not: there was an injury).
BASELINE: dict[str, Any] = {
    "age": 40,
    "injury": "fall",
    "days_since_injury": 1,
    "fall_direction": "forward",
    "chest_symptoms": "no",
    "vascular_signs": "no",
    "new_headache": "no",
    "meningitis_signs": "no",
    "bladder_bowel": "no",
    "neuro_symptoms": "no",
    "head_injury": "no",
    "dangerous_mechanism": "no",
    "neck_mark": "no",
    "possible_fracture": "no",
    "blood_thinners": "no",
    "intoxicated": "no",
    "midline_tenderness": "no",
    "bone_or_joint_disease": "no",
    "known_spine_problem": "none",
    "can_rotate_45": "yes",
    "bone_or_joint_pain": "no",
    "cancer_history": "no",
    "infection_risk": "no",
    "night_pain": "no",
    "sore_back": "yes",
    "sore_front": "no",
    "low_back_pain": "no",
}

# Desk work, no injury, the pain noticed on waking (not sudden): the always-asked questions plus
# sudden_onset, asked only with injury none (general soreness). Keys in SPEC.md's table order.
_NO_INJURY_ANSWERS = {"injury": "none", "sudden_onset": "no"}
NO_INJURY: dict[str, Any] = {
    k: _NO_INJURY_ANSWERS.get(k, BASELINE.get(k))
    for k, (_, _, when) in QUESTIONS.items()
    if when in (ALWAYS, NO_INJURY_ONLY)
}
