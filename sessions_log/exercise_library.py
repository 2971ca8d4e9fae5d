"""The clinic's seeded exercise library: rehabilitative stretches, each with
plain instructions and a picture drawn for the project (static/exercises/,
tools/draw_exercises.py). The data migration loads it; the manager edits it.

(code, name, region, instructions, hold seconds, repetitions, times a day)"""

SAFE = " Stretch to a gentle pull, never pain; breathe slowly. Stop if it tingles or hurts."

LIBRARY = [
    ("neck_side_bend", "Neck side bend", "neck",
     "Sit or stand tall. Tilt your ear toward your shoulder without lifting the shoulder." + SAFE,
     30, 3, 2),
    ("neck_rotation", "Neck turn", "neck",
     "Sit tall. Turn your head slowly to look over one shoulder, then the other." + SAFE,
     20, 5, 2),
    ("chin_tuck", "Chin tuck", "neck",
     "Sit tall. Draw your chin straight back, as if making a double chin; keep your eyes level."
     + SAFE, 5, 10, 3),
    ("upper_trapezius", "Upper trapezius stretch", "neck",
     "Sit on one hand. With the other hand, gently draw your head toward the free shoulder."
     + SAFE, 30, 3, 2),
    ("levator_scapulae", "Levator scapulae stretch", "neck",
     "Turn your nose toward your armpit, then let the hand on the back of your head add a "
     "light pull downward." + SAFE, 30, 3, 2),
    ("doorway_pectoral", "Doorway chest stretch", "chest",
     "Put your forearm on a door frame, elbow at shoulder height. Step through until you feel "
     "the front of the chest open." + SAFE, 30, 3, 2),
    ("cross_body_shoulder", "Cross-body shoulder stretch", "shoulder",
     "Bring one arm across your chest and hold it above the elbow with the other hand." + SAFE,
     30, 3, 2),
    ("overhead_triceps", "Overhead triceps stretch", "upper_arm",
     "Reach one hand down your back; with the other hand, ease the elbow back." + SAFE,
     30, 3, 1),
    ("thoracic_extension_chair", "Upper back extension over a chair", "mid_back",
     "Sit on a chair with a firm back. Hands behind the head, lean back over the top of the "
     "backrest." + SAFE, 10, 5, 2),
    ("cat_cow", "Cat and cow", "mid_back",
     "On hands and knees, round your back up like a cat, then let it sink gently. Move slowly."
     + SAFE, 5, 10, 1),
    ("childs_pose", "Child's pose", "lower_back",
     "Kneel, sit back on your heels and walk your hands forward until your back lengthens."
     + SAFE, 30, 3, 1),
    ("knee_to_chest", "Knee to chest", "lower_back",
     "Lie on your back. Hug one knee toward your chest, the other leg long." + SAFE, 30, 3, 2),
    ("lumbar_rotation", "Lying knee roll", "lower_back",
     "Lie on your back, knees bent. Let both knees fall slowly to one side, shoulders flat."
     + SAFE, 20, 5, 2),
    ("piriformis_figure_four", "Piriformis stretch (figure four)", "gluteal",
     "Lie on your back, cross one ankle over the other knee, and draw that thigh toward you."
     + SAFE, 30, 3, 2),
    ("seated_hamstring", "Seated hamstring stretch", "thigh",
     "Sit with one leg straight. Lean forward from the hips, back long, toward the foot."
     + SAFE, 30, 3, 2),
    ("standing_quadriceps", "Standing thigh stretch", "thigh",
     "Hold a chair. Bend one knee and take the foot toward your buttock; knees together."
     + SAFE, 30, 3, 2),
    ("kneeling_hip_flexor", "Kneeling hip flexor stretch", "hip",
     "Half-kneel on a cushion. Tuck your tailbone and shift forward until the front of the "
     "back hip stretches." + SAFE, 30, 3, 2),
    ("wall_calf", "Calf stretch at a wall", "calf",
     "Hands on a wall, one foot back with the knee straight and the heel down. Lean in."
     + SAFE, 30, 3, 2),
    ("wall_soleus", "Lower calf stretch at a wall", "calf",
     "As the calf stretch, but bend the back knee, heel still down." + SAFE, 30, 3, 2),
    ("wrist_flexor", "Wrist flexor stretch", "forearm",
     "Arm straight, palm up. With the other hand, ease the fingers down and back." + SAFE,
     20, 3, 3),
    ("wrist_extensor", "Wrist extensor stretch", "forearm",
     "Arm straight, palm down. With the other hand, ease the back of the hand down." + SAFE,
     20, 3, 3),
    ("butterfly_adductor", "Butterfly stretch", "hip",
     "Sit with the soles of your feet together and let your knees fall open." + SAFE,
     30, 3, 1),
    ("standing_side_bend", "Standing side bend", "mid_back",
     "Stand tall, reach one arm overhead and lean gently to the other side." + SAFE, 20, 3, 2),
]  # fmt: skip
