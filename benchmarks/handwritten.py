"""A hand-written screener: SPEC.md (contract v3) sections 2 to 4 as plain if/else, reading and
writing JSON Lines the same way `neckcheck batch` does. The yardstick for batch throughput and an
independent second reading of the contract for the agreement check, not a product: it checks
nothing about its input (every asked answer must be present), lists no reasons, and knows only
the shipped texts it is given (headlines, advice, caution texts, steps)."""

import json
import sys

YES = ("yes", "unsure", True)  # section 2: "yes" means yes or unsure on a red-flag question
NO = ("no", False)


def decide(a):
    """(outcome, disposition, exit code, timeframe, caution ids) for one valid answer set."""
    injury = a["injury"]
    injured = injury != "none"
    days = a["days_since_injury"] if injured else None
    age = a["age"]
    spine = a["known_spine_problem"]
    neuro = a["neuro_symptoms"] in YES
    cancer = a["cancer_history"] in YES
    infection = a["infection_risk"] in YES
    recent = a.get("signs_recent") in YES  # asked when vascular_signs or new_headache is yes

    # Section 1: the rotation test fails when can_rotate_45 is no or unsure, or was not asked.
    rotation_fails = False
    if injured:
        asked = (
            16 <= age <= 64
            and spine in ("none", "disc_or_nerve")
            and a["chest_symptoms"] in NO
            and a["vascular_signs"] in NO
            and a["new_headache"] in NO
            and a["meningitis_signs"] in NO
            and a["bladder_bowel"] in NO
            and a["neuro_symptoms"] in NO
            and a["head_injury"] in NO
            and a["dangerous_mechanism"] in NO
            and a["neck_mark"] in NO
            and a["possible_fracture"] in NO
            and (days > 14 or a["intoxicated"] in NO)
            and a["midline_tenderness"] in NO
            and a["bone_or_joint_disease"] in NO
        )
        rotation_fails = not asked or a["can_rotate_45"] not in ("yes", True)

    # 1. Emergency.
    if (
        a["chest_symptoms"] in YES
        or a.get("sudden_onset") in YES  # asked only when there was no injury
        or (a["vascular_signs"] in YES and recent)
        or a["meningitis_signs"] in YES
        or a["bladder_bowel"] in YES
        or (injured and days <= 14 and a["head_injury"] in YES)
        or (
            neuro
            and (
                (injured and days <= 14)
                or a["neuro_onset"] in ("sudden", "unsure")
                or cancer
                or infection
            )
        )
        or (injured and days <= 2 and rotation_fails)
    ):
        return "red_flag", "emergency", 5, "now", ()

    # 2. Urgent.
    if (
        (a["new_headache"] in YES and recent)
        or cancer
        or (injured and days > 14 and a["head_injury"] in YES)
        or (injured and days <= 2 and a["blood_thinners"] in YES)
        or (injured and 3 <= days <= 14 and rotation_fails)
        or (infection and a["night_pain"] in YES)
    ):
        return "red_flag", "urgent", 6, "today", ()

    # 3. Clinician.
    if (
        neuro
        or ((a["vascular_signs"] in YES or a["new_headache"] in YES) and not recent)
        or (injured and days > 14 and rotation_fails)
        or (injured and days > 2 and a["blood_thinners"] in YES)
        or age < 16
        or a["midline_tenderness"] in YES
        or a["bone_or_joint_pain"] in YES
        or a["night_pain"] in YES
        or infection
        or a["bone_or_joint_disease"] in YES
        or spine in ("surgery_or_fusion", "instability_or_misalignment", "unsure")
    ):
        return "red_flag", "clinician", 4, "soon", ()

    # 4. The pattern: the first bullet that matches decides.
    back = a["sore_back"]
    front = a["sore_front"]
    back_only = back in ("yes", True) and front in NO
    if (
        front in ("yes", True)
        or injury == "vehicle"
        or (injury == "fall" and a["fall_direction"] == "backward")
    ):
        outcome, disposition, code = "traditional_whiplash", "avoid_technique", 3
    elif back_only and (
        injury in ("sport_or_blow", "other_accident")
        or (injury == "fall" and a["fall_direction"] in ("forward", "sideways"))
    ):
        outcome, disposition, code = "reverse_whiplash", "technique", 0
    elif not injured and (back_only or (back in NO and front in NO)):
        outcome, disposition, code = "general_soreness", "technique", 0
    else:
        return "unclear", "clinician", 4, "soon", ()

    # Section 3: the cautions, in the table's order.
    technique = disposition == "technique"
    cautions = ["stop_if_pain"]
    if technique:
        cautions.append("soft_ball")
        if spine == "disc_or_nerve":
            cautions.append("no_traction")
        if a["low_back_pain"] in YES:
            cautions.append("no_foam_roller")
    cautions.append("front_of_neck")
    if injured and days <= 1:
        cautions.append("recent_injury")
    cautions.append("warning_signs")
    return outcome, disposition, code, None, cautions


def main():
    with open(sys.argv[1], encoding="utf-8") as compiled:  # the compiled rules, for their texts
        texts = json.load(compiled)["rulebook"]
    headlines = {(o["outcome"], o["disposition"]): o for o in texts["outcomes"]}
    caution_text = {c["id"]: c["text"] for c in texts["cautions"]}
    steps = texts["technique"]["steps"]
    follow_on = texts["technique"]["see_also"]
    front_release = headlines[("traditional_whiplash", "avoid_technique")]["see_also"]
    version = texts["version"]
    disclaimer = texts["disclaimer"]
    out = sys.stdout
    for number, line in enumerate(sys.stdin.buffer, start=1):
        a = json.loads(line)
        outcome, disposition, code, timeframe, cautions = decide(a)
        text = headlines[(outcome, disposition)]
        if disposition == "technique":
            see_also = follow_on
        elif disposition == "avoid_technique":
            see_also = front_release
        else:
            see_also = []
        record = {
            "line": number,
            "outcome": outcome,
            "disposition": disposition,
            "exit_code": code,
            "timeframe": timeframe,
            "headline": text["headline"],
            "advice": text["advice"],
            "cautions": [{"id": c, "text": caution_text[c]} for c in cautions],
            "steps": steps if disposition == "technique" else [],
            "see_also": see_also,
            "rules_version": version,
            "contract_version": 3,
            "disclaimer": disclaimer,
        }
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")


main()
