"""A hand-written screener: SPEC.md section 2 and 3 as plain if/else, reading and writing JSON
Lines the same way `neckcheck batch` does. The yardstick for batch throughput, not a product:
it checks nothing about its input and knows only the shipped texts it is given."""

import json
import sys


def flag(v):
    return v in ("yes", "unsure", True)


def decide(a):
    injured = a["injury"] != "none"
    days = a.get("days_since_injury") if injured else None
    direction = a.get("fall_direction") if a["injury"] == "fall" else None
    ccr = injured and (
        a["age"] >= 65
        or flag(a["dangerous_mechanism"])
        or a["can_rotate_45"] in ("no", "unsure", False)
    )
    if (
        (injured and flag(a["head_injury"]))
        or flag(a["meningitis_signs"])
        or flag(a["bladder_bowel"])
        or flag(a["vascular_signs"])
        or (injured and flag(a["neuro_symptoms"]))
        or (ccr and days <= 2)
    ):
        return "red_flag", "emergency", 5, []
    if (
        (not injured and flag(a["neuro_symptoms"]))
        or (ccr and days > 2)
        or (
            injured
            and (
                flag(a["possible_fracture"]) or flag(a["blood_thinners"]) or flag(a["intoxicated"])
            )
        )
        or a["age"] < 16
        or flag(a["midline_tenderness"])
        or flag(a["bone_or_joint_pain"])
        or flag(a["serious_history"])
        or flag(a["bone_or_joint_disease"])
        or a["known_spine_problem"]
        in ("surgery_or_fusion", "instability_or_misalignment", "unsure")
    ):
        return "red_flag", "clinician", 4, []
    back, front = a["sore_back"], a["sore_front"]
    back = {True: "yes", False: "no"}.get(back, back)
    front = {True: "yes", False: "no"}.get(front, front)
    if front == "yes" or a["injury"] == "vehicle" or direction == "backward":
        return "traditional_whiplash", "avoid_technique", 3, []
    accident = direction in ("forward", "sideways") or a["injury"] in (
        "sport_or_blow",
        "other_accident",
    )
    if back == "yes" and front == "no" and accident:
        outcome = "reverse_whiplash"
    elif a["injury"] == "none" and front == "no" and back in ("yes", "no"):
        outcome = "general_soreness"
    else:
        return "unclear", "clinician", 4, []
    cautions = ["stop_if_pain", "soft_ball"]
    if a["known_spine_problem"] == "disc_or_nerve":
        cautions.append("no_traction")
    if flag(a["low_back_pain"]):
        cautions.append("no_foam_roller")
    if days is not None and days <= 1:
        cautions.append("recent_injury")
    if injured:
        cautions.append("warning_signs")
    return outcome, "technique", 0, cautions


def main():
    with open(sys.argv[1], encoding="utf-8") as compiled:  # the compiled rules, for their texts
        texts = json.load(compiled)["rulebook"]
    headlines = {(o["outcome"], o["disposition"]): o for o in texts["outcomes"]}
    caution_text = {c["id"]: c["text"] for c in texts["cautions"]}
    out = sys.stdout
    for number, line in enumerate(sys.stdin.buffer, start=1):
        a = json.loads(line)
        outcome, disposition, code, cautions = decide(a)
        text = headlines[(outcome, disposition)]
        technique = disposition == "technique"
        record = {
            "line": number,
            "outcome": outcome,
            "disposition": disposition,
            "exit_code": code,
            "headline": text["headline"],
            "advice": text["advice"],
            "cautions": [{"id": c, "text": caution_text[c]} for c in cautions],
            "steps": texts["technique"]["steps"] if technique else [],
            "see_also": texts["technique"]["see_also"] if technique else [],
            "rules_version": texts["version"],
            "disclaimer": texts["disclaimer"],
        }
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")


main()
