"""SPEC.md section 2 as a table: a row per rule, with the answers that should make it decide."""

from __future__ import annotations

from typing import Any

from tests.spec import BASELINE, NO_INJURY

INJURY_3_DAYS = {"days_since_injury": 3}

# (rule id that must fire, answers changed from a base, expected outcome, disposition)
ROWS: list[tuple[str, dict[str, Any], dict[str, Any], str, str]] = [
    # 1. Emergency
    ("emergency.head_injury", BASELINE, {"head_injury": "yes"}, "red_flag", "emergency"),
    ("emergency.head_injury", BASELINE, {"head_injury": "unsure"}, "red_flag", "emergency"),
    ("emergency.meningitis", NO_INJURY, {"meningitis_signs": "yes"}, "red_flag", "emergency"),
    ("emergency.bladder_bowel", NO_INJURY, {"bladder_bowel": "unsure"}, "red_flag", "emergency"),
    ("emergency.vascular", NO_INJURY, {"vascular_signs": "yes"}, "red_flag", "emergency"),
    ("emergency.vascular", BASELINE, {"vascular_signs": True}, "red_flag", "emergency"),
    ("emergency.neuro_after_injury", BASELINE, {"neuro_symptoms": "unsure"}, "red_flag",
     "emergency"),
    ("emergency.ccr_age", BASELINE, {"age": 65, "days_since_injury": 2}, "red_flag", "emergency"),
    ("emergency.ccr_mechanism", BASELINE, {"dangerous_mechanism": "yes", "days_since_injury": 0},
     "red_flag", "emergency"),
    ("emergency.ccr_rotation", BASELINE, {"can_rotate_45": "no"}, "red_flag", "emergency"),
    ("emergency.ccr_rotation", BASELINE, {"can_rotate_45": "unsure"}, "red_flag", "emergency"),
    # 2. Clinician
    ("clinician.neuro_no_injury", NO_INJURY, {"neuro_symptoms": "yes"}, "red_flag", "clinician"),
    ("clinician.ccr_age_late", BASELINE, {"age": 80, **INJURY_3_DAYS}, "red_flag", "clinician"),
    ("clinician.ccr_mechanism_late", BASELINE, {"dangerous_mechanism": "unsure", **INJURY_3_DAYS},
     "red_flag", "clinician"),
    ("clinician.ccr_rotation_late", BASELINE, {"can_rotate_45": "no", **INJURY_3_DAYS},
     "red_flag", "clinician"),
    ("clinician.possible_fracture", BASELINE, {"possible_fracture": "yes"}, "red_flag",
     "clinician"),
    ("clinician.blood_thinners", BASELINE, {"blood_thinners": "unsure"}, "red_flag", "clinician"),
    ("clinician.intoxicated", BASELINE, {"intoxicated": "yes"}, "red_flag", "clinician"),
    ("clinician.under_16", NO_INJURY, {"age": 15}, "red_flag", "clinician"),
    ("clinician.midline_tenderness", NO_INJURY, {"midline_tenderness": "unsure"}, "red_flag",
     "clinician"),
    ("clinician.bone_or_joint_pain", BASELINE, {"bone_or_joint_pain": "yes"}, "red_flag",
     "clinician"),
    ("clinician.serious_history", NO_INJURY, {"serious_history": "yes"}, "red_flag", "clinician"),
    ("clinician.bone_or_joint_disease", NO_INJURY, {"bone_or_joint_disease": "unsure"},
     "red_flag", "clinician"),
    ("clinician.spine_problem", NO_INJURY, {"known_spine_problem": "surgery_or_fusion"},
     "red_flag", "clinician"),
    ("clinician.spine_problem", NO_INJURY, {"known_spine_problem": "instability_or_misalignment"},
     "red_flag", "clinician"),
    ("clinician.spine_problem", NO_INJURY, {"known_spine_problem": "unsure"}, "red_flag",
     "clinician"),
    # 3. Pattern
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
    ("pattern.back_loaded_after_accident", BASELINE, {"injury": "other_accident"},
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
