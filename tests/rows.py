"""The contract's decision intent (v2, section 2) as a table: a row per rule, with the answers
that should make it decide (or, for the rules that name a reason, fire)."""

from __future__ import annotations

from typing import Any

from tests.spec import BASELINE, NO_INJURY

DAY = {"days_since_injury": 0}
DAY_3 = {"days_since_injury": 3}
DAY_14 = {"days_since_injury": 14}
DAY_15 = {"days_since_injury": 15}
# Past day 14 intoxication is not asked; leave its answer out so the set stays minimal.
LATE = {k: v for k, v in BASELINE.items() if k != "intoxicated"} | {"days_since_injury": 20}
NEURO = {"neuro_symptoms": "yes", "neuro_onset": "gradual"}

# (rule id that must fire, answers changed from a base, expected outcome, disposition)
ROWS: list[tuple[str, dict[str, Any], dict[str, Any], str, str]] = [
    # 1. Emergency
    ("emergency.vascular", NO_INJURY, {"vascular_signs": "yes"}, "red_flag", "emergency"),
    ("emergency.vascular", BASELINE, {"vascular_signs": True}, "red_flag", "emergency"),
    ("emergency.meningitis", NO_INJURY, {"meningitis_signs": "yes"}, "red_flag", "emergency"),
    ("emergency.bladder_bowel", NO_INJURY, {"bladder_bowel": "unsure"}, "red_flag", "emergency"),
    ("emergency.head_injury", BASELINE, {"head_injury": "yes"}, "red_flag", "emergency"),
    ("emergency.head_injury", BASELINE, {"head_injury": "unsure", **DAY_14}, "red_flag",
     "emergency"),
    ("emergency.neuro_after_injury", BASELINE, {**NEURO, **DAY_14}, "red_flag", "emergency"),
    ("emergency.neuro_after_injury", BASELINE, {"neuro_symptoms": "unsure",
     "neuro_onset": "gradual"}, "red_flag", "emergency"),
    ("emergency.neuro_sudden", NO_INJURY, {"neuro_symptoms": "yes", "neuro_onset": "sudden"},
     "red_flag", "emergency"),
    ("emergency.neuro_sudden", NO_INJURY, {"neuro_symptoms": "yes", "neuro_onset": "unsure"},
     "red_flag", "emergency"),
    ("emergency.neuro_cord_pressure", NO_INJURY, {**NEURO, "cancer_history": "yes"}, "red_flag",
     "emergency"),
    ("emergency.neuro_cord_pressure", NO_INJURY, {**NEURO, "infection_risk": "unsure"},
     "red_flag", "emergency"),
    ("emergency.neck_scan_first_days", BASELINE, {"can_rotate_45": "no"}, "red_flag",
     "emergency"),
    ("emergency.neck_scan_first_days", BASELINE, {"can_rotate_45": "unsure", **DAY}, "red_flag",
     "emergency"),
    ("emergency.neck_scan_first_days", BASELINE, {"age": 65, "days_since_injury": 2},
     "red_flag", "emergency"),
    ("emergency.neck_scan_first_days", BASELINE, {"dangerous_mechanism": "yes", **DAY},
     "red_flag", "emergency"),
    ("emergency.neck_scan_first_days", BASELINE, {"neck_mark": "yes"}, "red_flag", "emergency"),
    ("emergency.neck_scan_first_days", BASELINE, {"midline_tenderness": "yes"}, "red_flag",
     "emergency"),
    ("emergency.neck_scan_first_days", BASELINE, {"intoxicated": "unsure"}, "red_flag",
     "emergency"),
    ("emergency.neck_scan_first_days", BASELINE, {"age": 15}, "red_flag", "emergency"),
    # 2. Urgent
    ("urgent.new_headache", NO_INJURY, {"new_headache": "yes"}, "red_flag", "urgent"),
    ("urgent.new_headache", LATE, {"new_headache": "unsure"}, "red_flag", "urgent"),
    ("urgent.cancer", NO_INJURY, {"cancer_history": "yes"}, "red_flag", "urgent"),
    ("urgent.head_injury_late", LATE, {"head_injury": "yes"}, "red_flag", "urgent"),
    ("urgent.blood_thinners_first_days", BASELINE, {"blood_thinners": "yes",
     "days_since_injury": 2}, "red_flag", "urgent"),
    ("urgent.neck_scan_first_weeks", BASELINE, {"can_rotate_45": "no", **DAY_3}, "red_flag",
     "urgent"),
    ("urgent.neck_scan_first_weeks", BASELINE, {"age": 80, **DAY_14}, "red_flag", "urgent"),
    ("urgent.neck_scan_first_weeks", BASELINE, {"possible_fracture": "yes", **DAY_3},
     "red_flag", "urgent"),
    ("urgent.infection_with_night_pain", NO_INJURY, {"infection_risk": "yes",
     "night_pain": "unsure"}, "red_flag", "urgent"),
    # 3. Clinician
    ("clinician.neuro_gradual", NO_INJURY, NEURO, "red_flag", "clinician"),
    ("clinician.neck_check_later", LATE, {"can_rotate_45": "unsure"}, "red_flag", "clinician"),
    ("clinician.neck_check_later", LATE, {"dangerous_mechanism": "yes"}, "red_flag",
     "clinician"),
    ("clinician.blood_thinners_later", BASELINE, {"blood_thinners": "unsure", **DAY_3},
     "red_flag", "clinician"),
    ("clinician.age_65_after_injury", LATE, {"age": 65}, "red_flag", "clinician"),
    ("clinician.dangerous_mechanism", LATE, {"dangerous_mechanism": "unsure"}, "red_flag",
     "clinician"),
    ("clinician.neck_mark", LATE, {"neck_mark": "yes"}, "red_flag", "clinician"),
    ("clinician.possible_fracture", LATE, {"possible_fracture": "yes"}, "red_flag", "clinician"),
    ("clinician.intoxicated", BASELINE, {"intoxicated": "yes", **DAY_14}, "red_flag", "urgent"),
    ("clinician.under_16", NO_INJURY, {"age": 15}, "red_flag", "clinician"),
    ("clinician.midline_tenderness", NO_INJURY, {"midline_tenderness": "unsure"}, "red_flag",
     "clinician"),
    ("clinician.bone_or_joint_pain", BASELINE, {"bone_or_joint_pain": "yes"}, "red_flag",
     "clinician"),
    ("clinician.night_pain", NO_INJURY, {"night_pain": "yes"}, "red_flag", "clinician"),
    ("clinician.infection_risk", NO_INJURY, {"infection_risk": "yes"}, "red_flag", "clinician"),
    ("clinician.bone_or_joint_disease", NO_INJURY, {"bone_or_joint_disease": "unsure"},
     "red_flag", "clinician"),
    ("clinician.spine_problem", NO_INJURY, {"known_spine_problem": "surgery_or_fusion"},
     "red_flag", "clinician"),
    ("clinician.spine_problem", NO_INJURY, {"known_spine_problem": "instability_or_misalignment"},
     "red_flag", "clinician"),
    ("clinician.spine_problem", NO_INJURY, {"known_spine_problem": "unsure"}, "red_flag",
     "clinician"),
    # 4. Pattern
    ("pattern.front_loaded", BASELINE, {"sore_front": "yes"}, "traditional_whiplash",
     "avoid_technique"),
    ("pattern.front_loaded", BASELINE, {"injury": "vehicle"}, "traditional_whiplash",
     "avoid_technique"),
    ("pattern.front_loaded", BASELINE, {"fall_direction": "backward"}, "traditional_whiplash",
     "avoid_technique"),
    ("pattern.front_loaded", NO_INJURY, {"sore_front": "yes"}, "traditional_whiplash",
     "avoid_technique"),
    ("pattern.back_loaded_after_accident", BASELINE, {}, "reverse_whiplash", "technique"),
    ("pattern.back_loaded_after_accident", BASELINE, {"fall_direction": "sideways"},
     "reverse_whiplash", "technique"),
    ("pattern.back_loaded_after_accident", BASELINE, {"injury": "sport_or_blow"},
     "reverse_whiplash", "technique"),
    ("pattern.back_loaded_after_accident", LATE, {"injury": "other_accident"},
     "reverse_whiplash", "technique"),
    ("pattern.back_sore_no_injury", NO_INJURY, {}, "general_soreness", "technique"),
    ("pattern.stiff_no_injury", NO_INJURY, {"sore_back": "no"}, "general_soreness", "technique"),
    ("pattern.unclear", BASELINE, {"fall_direction": "unsure"}, "unclear", "clinician"),
    ("pattern.unclear", BASELINE, {"sore_back": "unsure"}, "unclear", "clinician"),
    ("pattern.unclear", BASELINE, {"sore_front": "unsure"}, "unclear", "clinician"),
    ("pattern.unclear", BASELINE, {"sore_back": "no"}, "unclear", "clinician"),
    ("pattern.unclear", NO_INJURY, {"sore_back": "unsure", "sore_front": "no"}, "unclear",
     "clinician"),
]  # fmt: skip
