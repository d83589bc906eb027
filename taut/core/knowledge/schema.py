"""Schema of the knowledge-base data files (pydantic v2, frozen).

Each model describes one entry as written in YAML. ``extra="forbid"`` makes a
misspelt key an error rather than a silently ignored field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

SLUG_PATTERN = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
ROOT_PATTERN = r"^(C[1-8]|T([1-9]|1[0-2])|L[1-5]|S[1-5]|Co1)$"

SlugId = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Root = Annotated[str, StringConstraints(pattern=ROOT_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------- vocabularies


class Region(StrEnum):
    """Coarse body regions, modelled on the Michigan Body Map's areas (names are ours)."""

    HEAD = "head"
    FACE = "face"
    JAW = "jaw"
    NECK = "neck"
    SHOULDER = "shoulder"
    UPPER_BACK = "upper_back"
    CHEST = "chest"
    ABDOMEN = "abdomen"
    LOWER_BACK = "lower_back"
    PELVIS = "pelvis"
    BUTTOCK = "buttock"
    UPPER_ARM = "upper_arm"
    ELBOW = "elbow"
    FOREARM = "forearm"
    WRIST = "wrist"
    HAND = "hand"
    HIP = "hip"
    THIGH = "thigh"
    KNEE = "knee"
    LEG = "leg"
    ANKLE = "ankle"
    FOOT = "foot"


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    MIDLINE = "midline"


class ReferralSide(StrEnum):
    IPSILATERAL = "ipsilateral"
    CONTRALATERAL = "contralateral"
    BILATERAL = "bilateral"


class JointMotion(StrEnum):
    """Joint-motion ids shared by muscles, ROM norms, exercises and measures."""

    CERVICAL_FLEXION = "cervical_flexion"
    CERVICAL_EXTENSION = "cervical_extension"
    CERVICAL_ROTATION = "cervical_rotation"
    CERVICAL_LATERAL_FLEXION = "cervical_lateral_flexion"
    JAW_OPENING = "jaw_opening"
    JAW_CLOSING = "jaw_closing"
    JAW_PROTRUSION = "jaw_protrusion"
    JAW_LATERAL_DEVIATION = "jaw_lateral_deviation"
    SCAPULAR_ELEVATION = "scapular_elevation"
    SCAPULAR_DEPRESSION = "scapular_depression"
    SCAPULAR_PROTRACTION = "scapular_protraction"
    SCAPULAR_RETRACTION = "scapular_retraction"
    SCAPULAR_UPWARD_ROTATION = "scapular_upward_rotation"
    SCAPULAR_DOWNWARD_ROTATION = "scapular_downward_rotation"
    SHOULDER_FLEXION = "shoulder_flexion"
    SHOULDER_EXTENSION = "shoulder_extension"
    SHOULDER_ABDUCTION = "shoulder_abduction"
    SHOULDER_ADDUCTION = "shoulder_adduction"
    SHOULDER_INTERNAL_ROTATION = "shoulder_internal_rotation"
    SHOULDER_EXTERNAL_ROTATION = "shoulder_external_rotation"
    SHOULDER_HORIZONTAL_ABDUCTION = "shoulder_horizontal_abduction"
    SHOULDER_HORIZONTAL_ADDUCTION = "shoulder_horizontal_adduction"
    ELBOW_FLEXION = "elbow_flexion"
    ELBOW_EXTENSION = "elbow_extension"
    FOREARM_PRONATION = "forearm_pronation"
    FOREARM_SUPINATION = "forearm_supination"
    WRIST_FLEXION = "wrist_flexion"
    WRIST_EXTENSION = "wrist_extension"
    WRIST_RADIAL_DEVIATION = "wrist_radial_deviation"
    WRIST_ULNAR_DEVIATION = "wrist_ulnar_deviation"
    FINGER_FLEXION = "finger_flexion"
    FINGER_EXTENSION = "finger_extension"
    FINGER_ABDUCTION = "finger_abduction"
    THUMB_FLEXION = "thumb_flexion"
    THUMB_EXTENSION = "thumb_extension"
    THUMB_ABDUCTION = "thumb_abduction"
    THUMB_ADDUCTION = "thumb_adduction"
    THUMB_OPPOSITION = "thumb_opposition"
    THORACIC_FLEXION = "thoracic_flexion"
    THORACIC_EXTENSION = "thoracic_extension"
    THORACIC_ROTATION = "thoracic_rotation"
    LUMBAR_FLEXION = "lumbar_flexion"
    LUMBAR_EXTENSION = "lumbar_extension"
    LUMBAR_LATERAL_FLEXION = "lumbar_lateral_flexion"
    LUMBAR_ROTATION = "lumbar_rotation"
    HIP_FLEXION = "hip_flexion"
    HIP_EXTENSION = "hip_extension"
    HIP_ABDUCTION = "hip_abduction"
    HIP_ADDUCTION = "hip_adduction"
    HIP_INTERNAL_ROTATION = "hip_internal_rotation"
    HIP_EXTERNAL_ROTATION = "hip_external_rotation"
    KNEE_FLEXION = "knee_flexion"
    KNEE_EXTENSION = "knee_extension"
    ANKLE_DORSIFLEXION = "ankle_dorsiflexion"
    ANKLE_PLANTARFLEXION = "ankle_plantarflexion"
    FOOT_INVERSION = "foot_inversion"
    FOOT_EVERSION = "foot_eversion"
    TOE_FLEXION = "toe_flexion"
    TOE_EXTENSION = "toe_extension"


class Symptom(StrEnum):
    """Controlled vocabulary of symptoms that accompany or stand in for pain."""

    PAIN = "pain"
    HEADACHE = "headache"
    DIZZINESS = "dizziness"
    VERTIGO = "vertigo"
    IMBALANCE = "imbalance"
    NAUSEA = "nausea"
    TEARING = "tearing"
    EYE_REDNESS = "eye_redness"
    BLURRED_VISION = "blurred_vision"
    DROOPING_EYELID = "drooping_eyelid"
    TINNITUS = "tinnitus"
    EAR_FULLNESS = "ear_fullness"
    HEARING_CHANGE = "hearing_change"
    NASAL_CONGESTION = "nasal_congestion"
    TOOTH_SENSITIVITY = "tooth_sensitivity"
    JAW_CLICKING = "jaw_clicking"
    SORE_THROAT = "sore_throat"
    DIFFICULTY_SWALLOWING = "difficulty_swallowing"
    DRY_COUGH = "dry_cough"
    NUMBNESS = "numbness"
    TINGLING = "tingling"
    BURNING = "burning"
    WEAKNESS = "weakness"
    GRIP_WEAKNESS = "grip_weakness"
    STIFFNESS = "stiffness"
    CRAMPING = "cramping"
    FATIGUE = "fatigue"
    SWELLING_SENSATION = "swelling_sensation"
    COLDNESS = "coldness"
    SWEATING = "sweating"
    LIMPING = "limping"
    SLEEP_DISTURBANCE = "sleep_disturbance"


class EvidenceLevel(StrEnum):
    EXPERT_OPINION = "expert_opinion"
    CASE_SERIES = "case_series"
    OBSERVATIONAL_STUDY = "observational_study"
    CONTROLLED_TRIAL = "controlled_trial"
    SYSTEMATIC_REVIEW = "systematic_review"
    ANATOMICAL_REFERENCE = "anatomical_reference"


class SiteKind(StrEnum):
    """Why a nerve is squeezed: soft tissue (entrapment) or bone/disc (compression)."""

    SOFT_TISSUE = "soft_tissue"
    FIBRO_OSSEOUS = "fibro_osseous"
    BONY = "bony"
    DISC = "disc"


# -------------------------------------------------------------------- sources


class Source(Frozen):
    id: SlugId
    kind: Literal["book", "paper", "web"]
    title: Text
    authors: tuple[Text, ...] = Field(min_length=1)
    year: int = Field(ge=1800, le=2100)
    edition: str | None = None
    publisher: str | None = None
    journal: str | None = None
    volume: str | None = None
    pages: str | None = None
    doi: Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/\S+$")] | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    isbn: str | None = None
    license: str | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _findable(self) -> Source:
        if self.kind == "paper" and not (self.doi or self.url or (self.journal and self.volume and self.pages)):
            raise ValueError(
                "a paper needs a 'doi' (preferred), a 'url', or 'journal', 'volume' and 'pages' so readers can find it"
            )
        if self.kind == "web" and not self.url:
            raise ValueError("a web source needs a 'url'")
        return self


class SourceRef(Frozen):
    """A citation: which source, and where in it (chapter, page, figure)."""

    source: SlugId
    locator: Text


Citations = Annotated[tuple[SourceRef, ...], Field(min_length=1)]


# ---------------------------------------------------------------------- zones


class ZoneSpec(Frozen):
    """A body-surface zone as written in zones.yaml (unsided)."""

    id: SlugId
    name: Text
    synonyms: tuple[Text, ...] = ()
    bilateral: bool
    region: Region
    neighbours: tuple[SlugId, ...] = ()
    description: str = ""
    sources: tuple[SourceRef, ...] = ()


Point = tuple[float, float]


class ViewSpec(Frozen):
    """One drawing of the body (front, back, face) in geometry.yaml."""

    id: SlugId
    label: Text
    width: float = Field(gt=0)
    height: float = Field(gt=0)
    mirror_x: float = Field(gt=0)
    drawn_side: Literal["left", "right"]
    silhouette: tuple[tuple[Point, ...], ...] = ()


# --------------------------------------------------------------------- nerves


class EntrapmentSite(Frozen):
    name: Text
    kind: SiteKind
    muscle: SlugId | None = None
    zones: tuple[SlugId, ...] = ()
    # Skin zones that go numb when the nerve is caught here; empty means the nerve's whole
    # territory (with its branches). Set it where a branch leaves above the site.
    territory: tuple[SlugId, ...] = ()
    note: str = ""


class Nerve(Frozen):
    """A peripheral nerve, branch or plexus. A spinal nerve names its ``roots``; a cranial
    nerve names its number in ``cranial`` (``V3``, ``VII``) and may leave ``roots`` empty."""

    id: SlugId
    name: Text
    synonyms: tuple[Text, ...] = ()
    kind: Literal["motor", "sensory", "mixed"]
    cranial: Annotated[str, StringConstraints(pattern=r"^(I|II|III|IV|V|V1|V2|V3|VI|VII|VIII|IX|X|XI|XII)$")] | None = (
        None
    )
    roots: tuple[Root, ...] = ()
    parent: SlugId | None = None
    cutaneous_zones: tuple[SlugId, ...] = ()
    supplies: tuple[Text, ...] = ()
    entrapment_sites: tuple[EntrapmentSite, ...] = ()
    note: str = ""
    sources: Citations

    @model_validator(mode="after")
    def _has_origin(self) -> Nerve:
        if not self.roots and self.cranial is None:
            raise ValueError(
                "a spinal nerve needs at least one root in `roots` (e.g. [C5, C6]); a cranial nerve"
                " needs `cranial` (e.g. V3 or VII) instead"
            )
        return self


class Dermatome(Frozen):
    root: Root
    zones: tuple[SlugId, ...] = Field(min_length=1)
    key_point_zone: SlugId | None = None
    sources: Citations


class Myotome(Frozen):
    root: Root
    motions: tuple[JointMotion, ...] = Field(min_length=1)
    key_muscles: tuple[Text, ...] = Field(min_length=1)
    zones: tuple[SlugId, ...] = Field(min_length=1)
    sources: Citations


# -------------------------------------------------------------------- muscles


class Attachments(Frozen):
    origin: Text
    insertion: Text


class Innervation(Frozen):
    """The main nerve, its roots, and ``also``: further nerves where a muscle has a dual
    supply (e.g. flexor digitorum profundus: median and ulnar). ``roots`` may be empty only
    when the main nerve is cranial (checked by the loader)."""

    nerve: SlugId
    roots: tuple[Root, ...] = ()
    also: tuple[SlugId, ...] = ()


class Referral(Frozen):
    essential: tuple[SlugId, ...] = Field(min_length=1)
    spillover: tuple[SlugId, ...] = ()
    side: ReferralSide = ReferralSide.IPSILATERAL


class TriggerPoint(Frozen):
    id: SlugId
    zones: tuple[SlugId, ...] = Field(min_length=1)
    description: Text
    referral: Referral | None = None


class Palpation(Frozen):
    client_position: Text
    method: Literal["flat", "pincer", "flat_or_pincer"]
    how_to_find: Text


class Muscle(Frozen):
    id: SlugId
    name: Text
    synonyms: tuple[Text, ...] = ()
    fma_id: int | None = None
    region: Region
    attachments: Attachments
    action: tuple[Text, ...] = Field(min_length=1)
    innervation: Innervation
    trigger_points: tuple[TriggerPoint, ...] = Field(min_length=1)
    referral: Referral
    symptoms: tuple[Symptom, ...] = ()
    restricted_motions: tuple[JointMotion, ...] = ()
    provoking_motions: tuple[JointMotion, ...] = ()
    entrapped_nerves: tuple[SlugId, ...] = ()
    perpetuating_factors: tuple[Text, ...] = ()
    palpation: Palpation
    selfcare_exercises: tuple[SlugId, ...] = ()
    sources: Citations
    curated_by: Text
    curated_on: dt.date
    evidence_level: EvidenceLevel


# --------------------------------------------------- conditions, tests, care


class Mechanism(StrEnum):
    """How the pain began (shared by conditions and the pain chart's intake)."""

    REAR_END_COLLISION = "rear_end_collision"
    SIDE_IMPACT_COLLISION = "side_impact_collision"
    SEAT_BELT = "seat_belt"
    WHIPLASH = "whiplash"
    FALL = "fall"
    SPORT = "sport"
    LIFTING = "lifting"
    OVERUSE = "overuse"
    PROLONGED_POSTURE = "prolonged_posture"
    SLEEP_POSITION = "sleep_position"
    DENTAL_WORK = "dental_work"
    STRESS = "stress"
    SURGERY = "surgery"
    INSIDIOUS = "insidious"


Fraction = Annotated[float, Field(ge=0, le=1)]


class MuscleEvidence(Frozen):
    """How often a muscle harbours active trigger points in people with a condition.

    ``prevalence`` is the share (0-1) of patients with an active trigger point in the muscle
    where a study reports it, or null where the muscle is named without a figure.
    """

    muscle: SlugId
    prevalence: Fraction | None = None
    source: SourceRef
    note: str = ""


class MuscleGroup(Frozen):
    """Muscles clinicians name together (the suboccipitals, the hamstrings): the ranking shows
    members whose referral patterns are near-identical in one row. Groups do not overlap."""

    id: SlugId
    name: Text
    synonyms: tuple[Text, ...] = ()
    members: tuple[SlugId, ...] = Field(min_length=2)
    note: str = ""
    sources: Citations


class Condition(Frozen):
    id: SlugId
    name: Text
    synonyms: tuple[Text, ...] = ()
    summary: str = ""
    zones: tuple[SlugId, ...] = ()
    mechanisms: tuple[Mechanism, ...] = ()
    muscle_evidence: tuple[MuscleEvidence, ...] = ()
    # Listed muscles plus every muscle of `muscle_evidence` (appended by the validator), so
    # code can read one tuple; the listed ones keep their positions for error lines.
    muscles: tuple[SlugId, ...] = ()
    nerves: tuple[SlugId, ...] = ()
    red_flags: tuple[SlugId, ...] = ()
    outcome_measure: Text | None = None
    protocol: tuple[Text, ...] = ()
    differentials: tuple[SlugId, ...] = ()
    sources: Citations
    evidence_level: EvidenceLevel

    @model_validator(mode="before")
    @classmethod
    def _merge_evidence_muscles(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        listed = data.get("muscles") or []
        evidence = data.get("muscle_evidence") or []
        if not isinstance(listed, list | tuple) or not isinstance(evidence, list | tuple):
            return data
        merged = list(listed)
        for item in evidence:
            muscle = item.get("muscle") if isinstance(item, dict) else getattr(item, "muscle", None)
            if isinstance(muscle, str) and muscle not in merged:
                merged.append(muscle)
        return {**data, "muscles": merged}

    @property
    def evidence_muscles(self) -> tuple[str, ...]:
        """Muscles with published trigger-point evidence, highest prevalence first."""
        ranked = sorted(self.muscle_evidence, key=lambda e: -(e.prevalence if e.prevalence is not None else -1.0))
        return tuple(dict.fromkeys(e.muscle for e in ranked))


class RedFlag(Frozen):
    """A sign in the history that calls for medical assessment before (or instead of) soft-tissue work."""

    id: SlugId
    name: Text
    synonyms: tuple[Text, ...] = ()
    question: Text
    urgency: Literal["emergency", "urgent", "soon"]
    why: Text
    applies_to: tuple[Region | Literal["any"], ...] = ("any",)
    sources: Citations


class Targets(Frozen):
    """What a special test loads: spinal roots, nerves (ids) and sites (entrapment-site names or muscle ids)."""

    roots: tuple[Root, ...] = ()
    nerves: tuple[SlugId, ...] = ()
    sites: tuple[Text, ...] = ()


class SpecialTest(Frozen):
    id: SlugId
    name: Text
    synonyms: tuple[Text, ...] = ()
    kind: Literal["neural_tension", "provocation", "orthopaedic", "vascular"]
    targets: Targets = Targets()
    region: Region
    how: tuple[Text, ...] = Field(min_length=1)
    positive: Text
    sensitivity: Fraction | None = None
    specificity: Fraction | None = None
    accuracy_source: SourceRef | None = None
    sources: Citations

    @model_validator(mode="after")
    def _accuracy_cited(self) -> SpecialTest:
        if (self.sensitivity is not None or self.specificity is not None) and self.accuracy_source is None:
            raise ValueError("a sensitivity or specificity needs an `accuracy_source` ({source, locator})")
        return self


class RomNorm(Frozen):
    """A normal range of motion. Values are in ``unit`` (degrees, or mm for jaw opening)."""

    id: SlugId
    motion: JointMotion
    joint: SlugId | None = None  # filled from the motion (cervical_rotation -> cervical) when left out
    mode: Literal["active", "passive"] = "active"
    unit: Literal["degrees", "mm"] = "degrees"
    normal_degrees: float = Field(ge=0, le=360)
    low_degrees: float | None = Field(default=None, ge=0, le=360)
    high_degrees: float | None = Field(default=None, ge=0, le=360)
    age_min: int | None = Field(default=None, ge=0, le=120)
    age_max: int | None = Field(default=None, ge=0, le=120)
    sex: Literal["any", "female", "male"] = "any"
    method: str = ""
    population: str = ""
    restricting_muscles: tuple[SlugId, ...] = ()
    sources: Citations

    @model_validator(mode="before")
    @classmethod
    def _default_joint(cls, data: object) -> object:
        if isinstance(data, dict) and not data.get("joint") and isinstance(data.get("motion"), str):
            return {**data, "joint": data["motion"].split("_")[0]}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> RomNorm:
        if self.low_degrees is not None and self.low_degrees > self.normal_degrees:
            raise ValueError("`low_degrees` must not exceed `normal_degrees`")
        if self.high_degrees is not None and self.high_degrees < self.normal_degrees:
            raise ValueError("`high_degrees` must not be below `normal_degrees`")
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValueError("`age_min` must not exceed `age_max`")
        return self

    def applies_to(self, age: int | None = None, sex: str | None = None) -> bool:
        """Whether this norm fits a client of ``age`` and ``sex`` (unknowns always fit)."""
        if age is not None and self.age_min is not None and age < self.age_min:
            return False
        if age is not None and self.age_max is not None and age > self.age_max:
            return False
        return sex is None or self.sex == "any" or self.sex == sex


class TechniqueKind(StrEnum):
    MANUAL_PRESSURE = "manual_pressure"
    STROKING = "stroking"
    FRICTION = "friction"
    POSITIONAL = "positional"
    MUSCLE_ENERGY = "muscle_energy"
    STRETCHING = "stretching"
    COOLING_AND_STRETCH = "cooling_and_stretch"
    FASCIAL = "fascial"
    SKIN = "skin"
    ACTIVE_RELEASE = "active_release"
    REFERRAL_ONLY = "referral_only"


class Technique(Frozen):
    id: SlugId
    name: Text
    synonyms: tuple[Text, ...] = ()
    kind: TechniqueKind
    in_scope: bool = True  # false: outside massage/NMT scope, listed only so Taut can suggest a referral
    summary: str = ""
    indications: tuple[Text, ...] = ()
    contraindications: tuple[Text, ...] = ()
    cautions: tuple[Text, ...] = ()
    position: str = ""  # how the client lies or sits for it, in words
    pressure: str = ""  # pressure guidance in words
    dose: TechniqueDose | None = None
    precautions: tuple[SlugId, ...] = ()  # precaution ids (precautions.yaml) that change or stop it
    sources: Citations


class TechniqueDose(Frozen):
    """How long and how often a technique is applied."""

    seconds_per_point_min: int | None = Field(default=None, ge=1, le=900)
    seconds_per_point_max: int | None = Field(default=None, ge=1, le=900)
    repetitions_min: int | None = Field(default=None, ge=1, le=50)
    repetitions_max: int | None = Field(default=None, ge=1, le=50)
    note: str = ""


class DoseRange(Frozen):
    """The range a practitioner may prescribe: each pair is min..max (either may be null)."""

    sets_min: int | None = Field(default=None, ge=1, le=20)
    sets_max: int | None = Field(default=None, ge=1, le=20)
    reps_min: int | None = Field(default=None, ge=1, le=100)
    reps_max: int | None = Field(default=None, ge=1, le=100)
    hold_seconds_min: int | None = Field(default=None, ge=1, le=600)
    hold_seconds_max: int | None = Field(default=None, ge=1, le=600)
    per_day_min: int | None = Field(default=None, ge=1, le=12)
    per_day_max: int | None = Field(default=None, ge=1, le=12)
    per_week_min: int | None = Field(default=None, ge=1, le=7)
    per_week_max: int | None = Field(default=None, ge=1, le=7)

    @model_validator(mode="after")
    def _ordered(self) -> DoseRange:
        for name in ("sets", "reps", "hold_seconds", "per_day", "per_week"):
            low, high = getattr(self, f"{name}_min"), getattr(self, f"{name}_max")
            if low is not None and high is not None and low > high:
                raise ValueError(f"`{name}_min` must not exceed `{name}_max`")
        return self


FigureJoint = Literal[
    "head",
    "neck",
    "shoulder_l",
    "shoulder_r",
    "elbow_l",
    "elbow_r",
    "hand_l",
    "hand_r",
    "hip",
    "hip_l",
    "hip_r",
    "knee_l",
    "knee_r",
    "foot_l",
    "foot_r",
]


FigurePose = Literal[
    "standing",
    "standing_front",
    "standing_wall",
    "sitting",
    "sitting_front",
    "supine",
    "hooklying",
    "prone",
    "side_lying",
    "quadruped",
    "half_kneeling",
    "kneeling_sit",
]


class Figure(Frozen):
    """Pose data for the stick figure drawn by ``taut.core.bodymap.figures`` (our own drawing).

    ``joints`` places each joint in a 100 x 100 box (x right, y down); missing joints are not
    drawn. ``pose`` names a base pose (``sitting``, ``supine``...) whose joints, props and floor
    ``taut.core.bodymap.figures.POSES`` holds; ``joints`` then lists only the joints that differ.
    ``props`` are straight lines (a wall, a band, a chair) as ``[[x1, y1], [x2, y2]]``;
    ``arrows`` show the direction of movement the same way.
    """

    pose: FigurePose | None = None
    joints: Mapping[FigureJoint, Point] = Field(default_factory=dict)
    props: tuple[tuple[Point, Point], ...] = ()
    arrows: tuple[tuple[Point, Point], ...] = ()
    floor: float | None = Field(default=None, ge=0, le=100)
    caption: str = ""

    @model_validator(mode="after")
    def _enough_joints(self) -> Figure:
        if self.pose is None and len(self.joints) < 3:
            raise ValueError("a figure needs a `pose` or at least three `joints`")
        return self


class Dose(Frozen):
    """How much of an exercise: any of sets, reps, hold, and how often."""

    sets: int | None = Field(default=None, ge=1, le=20)
    reps: int | None = Field(default=None, ge=1, le=100)
    hold_seconds: int | None = Field(default=None, ge=1, le=600)
    per_side: bool = False
    frequency: Text


class Exercise(Frozen):
    id: SlugId
    name: Text
    synonyms: tuple[Text, ...] = ()
    kind: Literal["stretch", "strengthen", "mobility", "self_massage", "postural", "breathing", "relaxation"]
    muscles: tuple[SlugId, ...] = ()
    motions: tuple[JointMotion, ...] = ()
    steps: tuple[Text, ...] = Field(min_length=1)
    dose: Dose | None = None
    progressions: tuple[Text, ...] = ()
    contraindications: tuple[Text, ...] = ()  # in words, shown to the client
    dose_range: DoseRange | None = None
    precautions: tuple[SlugId, ...] = ()  # precaution ids (precautions.yaml) that rule it out or change it
    conditions: tuple[SlugId, ...] = ()  # condition ids (conditions.yaml) it is planned for
    progression_ids: tuple[SlugId, ...] = ()  # harder exercises (ids) to move on to
    figure: Figure | None = None
    sources: Citations


# ------------------------------------------------------------ care and precautions


class CarePhase(Frozen):
    """One phase of care for a condition (acute whiplash, the first days; later; chronic)."""

    id: SlugId
    name: Text
    when: Text  # in words: "first 72 hours after the injury"
    days_from: int | None = Field(default=None, ge=0)
    days_to: int | None = Field(default=None, ge=0)
    goals: tuple[Text, ...] = ()
    avoid: tuple[Text, ...] = ()
    techniques: tuple[SlugId, ...] = ()
    exercises: tuple[SlugId, ...] = ()
    precautions: tuple[SlugId, ...] = ()


class Reassessment(Frozen):
    measure: Text  # an instrument id, a ROM motion or words ("pain on the 0-10 scale")
    when: Text


class Care(Frozen):
    """How care for one condition is usually organised (our own summary, cited)."""

    condition: SlugId
    phases: tuple[CarePhase, ...] = Field(min_length=1)
    regions_first: tuple[Region, ...] = ()
    muscles_first: tuple[SlugId, ...] = ()
    session_frequency: Text
    expected_course: Text
    reassessment: tuple[Reassessment, ...] = ()
    home_care: tuple[Text, ...] = ()
    refer_when: tuple[Text, ...] = ()
    sources: Citations


class PrecautionEffect(StrEnum):
    REFER = "refer"  # refer instead of (or before) treatment
    LIGHT_PRESSURE = "light_pressure"
    NO_DEEP_WORK = "no_deep_work"  # no deep work on `regions`
    AVOID_AREA = "avoid_area"  # no work on `regions` / the named area
    POSITION = "position"  # change the client's position
    NO_EXERCISE = "no_exercise"  # leave out the exercises it names
    MODIFY = "modify"  # other change, in `advice`


class Precaution(Frozen):
    """An intake screen item or red flag and what it does to a plan."""

    id: SlugId
    name: Text
    kind: Literal["screen", "red_flag"]
    question: Text  # how the intake asks it, in plain words
    effects: tuple[PrecautionEffect, ...] = Field(min_length=1)
    urgency: Literal["emergency", "urgent", "soon"] | None = None  # set when effects include refer
    regions: tuple[Region, ...] = ()
    positions: tuple[Text, ...] = ()  # positions to use or avoid
    advice: Text
    red_flag: SlugId | None = None  # the matching entry in red_flags.yaml, if any
    sources: Citations

    @model_validator(mode="after")
    def _urgency(self) -> Precaution:
        if PrecautionEffect.REFER in self.effects and self.urgency is None:
            raise ValueError("a precaution that refers needs an `urgency` (emergency, urgent or soon)")
        return self


# -------------------------------------------------------- outcome measures


class InstrumentItems(Frozen):
    """The items of an instrument, described by number and domain in our own words."""

    count_min: int = Field(ge=1, le=100)
    count_max: int = Field(ge=1, le=100)
    min_value: float
    max_value: float
    integer: bool = True  # answers must be whole numbers
    reverse_scored: tuple[int, ...] = ()  # 1-based item numbers scored max+min-answer
    domains: tuple[Text, ...] = ()  # one label per item (our words), or empty when items are chosen by the client

    @model_validator(mode="after")
    def _consistent(self) -> InstrumentItems:
        if self.count_min > self.count_max:
            raise ValueError("`count_min` must not exceed `count_max`")
        if self.min_value >= self.max_value:
            raise ValueError("`min_value` must be below `max_value`")
        bad = [n for n in self.reverse_scored if not 1 <= n <= self.count_max]
        if bad:
            raise ValueError(f"reverse-scored item numbers {bad} are outside 1..{self.count_max}")
        if self.domains and len(self.domains) != self.count_max:
            raise ValueError(f"`domains` needs one label per item ({self.count_max}), found {len(self.domains)}")
        return self


class MissingRule(Frozen):
    """How unanswered items are handled: ``none`` (all required), ``prorate`` (score from the
    answered items, up to ``max_missing``), or ``score_as_zero`` (a checklist: unticked is 0)."""

    kind: Literal["none", "prorate", "score_as_zero"]
    max_missing: int = Field(default=0, ge=0)
    note: Text


class Mcid(Frozen):
    """The smallest change that matters to patients, in the units of ``value`` (or percent)."""

    value: float = Field(gt=0)
    unit: Literal["points", "percent"] = "points"
    note: str = ""
    source: SourceRef


class Band(Frozen):
    """An interpretation band: ``low <= score <= high`` (in the units of the score's value)."""

    low: float
    high: float
    label: Text


class Instrument(Frozen):
    """A scored outcome measure. Item wording is never stored unless it is ours or openly licensed."""

    id: SlugId
    name: Text
    synonyms: tuple[Text, ...] = ()
    measures: Text
    items: InstrumentItems
    scoring_rule: Literal["single", "mean", "sum", "sum_percent", "dash"]
    missing: MissingRule
    score_min: float
    score_max: float
    percent: bool = False  # whether the score is also reported as a percentage of the maximum
    higher_is: Literal["worse", "better"]
    mcid: Mcid | None = None
    bands: tuple[Band, ...] = ()
    bands_source: SourceRef | None = None
    item_text: Literal["ours", "not_stored"]
    license: Text
    sources: Citations

    @model_validator(mode="after")
    def _consistent(self) -> Instrument:
        if self.score_min >= self.score_max:
            raise ValueError("`score_min` must be below `score_max`")
        if self.bands and self.bands_source is None:
            raise ValueError("bands need a `bands_source` ({source, locator})")
        previous: float | None = None
        for band in self.bands:
            if band.low > band.high:
                raise ValueError(f"band {band.label!r}: `low` exceeds `high`")
            if band.low < self.score_min or band.high > self.score_max:
                raise ValueError(f"band {band.label!r} lies outside the score range")
            if previous is not None and band.low <= previous:
                raise ValueError(f"band {band.label!r} overlaps the band before it; list bands from low to high")
            previous = band.high
        if self.missing.kind == "none" and self.missing.max_missing:
            raise ValueError("`max_missing` must be 0 when missing items are not allowed")
        return self


class WellnessAdvice(Frozen):
    """One piece of advice for the treatment plan, in our own words."""

    id: SlugId
    text: Text
    sources: tuple[SourceRef, ...] = ()  # needed where the advice states a fact


class WellnessOption(Frozen):
    value: SlugId
    label: Text
    flag: bool = False  # this answer marks the domain for attention
    advice: tuple[SlugId, ...] = ()


class WellnessQuestion(Frozen):
    id: SlugId
    text: Text
    options: tuple[WellnessOption, ...] = Field(min_length=2)


class WellnessDomain(Frozen):
    """One domain of the wellness questionnaire (our own wording, CC BY 4.0)."""

    id: SlugId
    name: Text
    questions: tuple[WellnessQuestion, ...] = Field(min_length=1)
    advice: tuple[WellnessAdvice, ...] = ()
    sources: tuple[SourceRef, ...] = ()  # the questions are ours; advice cites its own sources

    @model_validator(mode="after")
    def _references(self) -> WellnessDomain:
        known = {a.id for a in self.advice}
        for question in self.questions:
            values = [o.value for o in question.options]
            if len(set(values)) != len(values):
                raise ValueError(f"question {question.id!r} repeats an option value")
            for option in question.options:
                unknown = [a for a in option.advice if a not in known]
                if unknown:
                    raise ValueError(f"option {option.value!r} of {question.id!r} names unknown advice {unknown}")
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ValueError("question ids must be unique within a domain")
        return self


class AnatomyTerm(Frozen):
    """A word of the anatomical-terms table (anatomy_terms.yaml) that the phrase reader knows.

    ``part``: a body part ("knee", "shoulder blade") with every zone it holds and the zones a bare
    mention means; ``term``: an anatomical landmark or region word ("acromion", "tibia") with its
    zones; ``place``: a word of position or direction ("posterior", "behind", "outer") that picks
    zones within a part. ``as_place`` lets a part word act as a place ("back" in "back of the knee").
    """

    id: SlugId
    kind: Literal["part", "term", "place"]
    words: tuple[Text, ...] = Field(min_length=1)
    zones: tuple[SlugId, ...] = ()
    bare: tuple[SlugId, ...] = ()
    as_place: tuple[SlugId, ...] = ()
    sources: Citations

    @model_validator(mode="after")
    def _shape(self) -> AnatomyTerm:
        if self.kind == "place" and (self.zones or self.bare or self.as_place):
            raise ValueError("a place word names no zones; remove zones, bare and as_place")
        if self.kind != "place" and not self.zones:
            raise ValueError(f"a {self.kind} needs the zones it holds under `zones:`")
        extra = [z for z in self.bare if z not in self.zones]
        if extra:
            raise ValueError(f"bare zones {extra} are not among the entry's zones")
        return self


# The top-level keys each list file must have, and the model of its items.
LIST_FILES: dict[str, tuple[str, type[Frozen]]] = {
    "sources.yaml": ("sources", Source),
    "zones.yaml": ("zones", ZoneSpec),
    "nerves.yaml": ("nerves", Nerve),
    "conditions.yaml": ("conditions", Condition),
    "rom_norms.yaml": ("rom_norms", RomNorm),
    "techniques.yaml": ("techniques", Technique),
    "exercises.yaml": ("exercises", Exercise),
    "red_flags.yaml": ("red_flags", RedFlag),
    "special_tests.yaml": ("special_tests", SpecialTest),
    "instruments.yaml": ("instruments", Instrument),
    "wellness.yaml": ("domains", WellnessDomain),
    "anatomy_terms.yaml": ("terms", AnatomyTerm),
    "muscle_groups.yaml": ("groups", MuscleGroup),
    "care.yaml": ("care", Care),
    "precautions.yaml": ("precautions", Precaution),
}


# ------------------------------------------------------------ compiled base
# What the loader builds from the files: sided zones, views with their shapes,
# and the frozen, indexed knowledge base.


@dataclass(frozen=True, slots=True)
class Zone:
    """A sided (``temple_l``) or midline (``throat``) zone of the body chart."""

    id: str
    base_id: str
    side: Side
    name: str
    label: str
    synonyms: tuple[str, ...]
    region: Region
    neighbours: tuple[str, ...]
    views: tuple[str, ...]
    sources: tuple[SourceRef, ...]
    description: str = ""


@dataclass(frozen=True, slots=True)
class Shape:
    zone: str
    view: str
    points: tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class View:
    id: str
    label: str
    width: float
    height: float
    mirror_x: float
    silhouette: tuple[tuple[Point, ...], ...]
    shapes: tuple[Shape, ...]


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """The whole knowledge base, validated, indexed and read-only (hashed by identity)."""

    semver: str
    content_hash: str
    sources: Mapping[str, Source]
    zone_specs: Mapping[str, ZoneSpec]
    zones: Mapping[str, Zone]
    views: Mapping[str, View]
    nerves: Mapping[str, Nerve]
    dermatomes: Mapping[str, Dermatome]
    myotomes: Mapping[str, Myotome]
    muscles: Mapping[str, Muscle]
    conditions: Mapping[str, Condition]
    rom_norms: Mapping[str, RomNorm]
    techniques: Mapping[str, Technique]
    exercises: Mapping[str, Exercise]
    red_flags: Mapping[str, RedFlag] = field(default_factory=lambda: MappingProxyType({}))
    special_tests: Mapping[str, SpecialTest] = field(default_factory=lambda: MappingProxyType({}))
    instruments: Mapping[str, Instrument] = field(default_factory=lambda: MappingProxyType({}))
    wellness: Mapping[str, WellnessDomain] = field(default_factory=lambda: MappingProxyType({}))
    files: tuple[str, ...] = field(default=())
    movement_measures: Mapping[str, MovementMeasure] = field(default_factory=lambda: MappingProxyType({}))
    movement_findings: Mapping[str, MovementFinding] = field(default_factory=lambda: MappingProxyType({}))
    movement_patterns: Mapping[str, MovementPattern] = field(default_factory=lambda: MappingProxyType({}))
    movement_curves: Mapping[str, MovementCurve] = field(default_factory=lambda: MappingProxyType({}))
    anatomy_terms: Mapping[str, AnatomyTerm] = field(default_factory=lambda: MappingProxyType({}))
    muscle_groups: Mapping[str, MuscleGroup] = field(default_factory=lambda: MappingProxyType({}))
    care: Mapping[str, Care] = field(default_factory=lambda: MappingProxyType({}))
    precautions: Mapping[str, Precaution] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def version(self) -> str:
        """Semver plus content hash, e.g. ``0.1.0+3f2a9c1b7d04``."""
        return f"{self.semver}+{self.content_hash}"

    def sided(self, base_id: str) -> tuple[str, ...]:
        """The sided zone ids of a base zone id (one id for a midline zone)."""
        spec = self.zone_specs[base_id]
        return (f"{base_id}_l", f"{base_id}_r") if spec.bilateral else (base_id,)


# ------------------------------------------------------- movement (posture, gait)
# Files under movement/*.yaml, all merged: measures with their normal ranges, the findings
# a measure outside its range raises, the patterns a group of findings suggests, and
# normative curves over the gait cycle.

MovementKind = Literal["posture", "gait"]
POSTURE_VIEWS: tuple[str, ...] = ("front", "back", "left", "right")
GAIT_VIEWS: tuple[str, ...] = ("sagittal", "frontal")
MOVEMENT_VIEWS: dict[str, tuple[str, ...]] = {"posture": POSTURE_VIEWS, "gait": GAIT_VIEWS}
MovementUnit = Literal["degrees", "percent", "cm", "s", "steps/min", "ratio"]

# A movement citation is a source id (``yates_2010``) or ``{source, locator}``.
MovementCitation = SlugId | SourceRef
MovementCitations = Annotated[tuple[MovementCitation, ...], Field(min_length=1)]


def citation_ids(sources: tuple[MovementCitation, ...]) -> tuple[str, ...]:
    """The source ids of movement citations, in order."""
    return tuple(ref if isinstance(ref, str) else ref.source for ref in sources)


class NormalRange(Frozen):
    """A typical healthy-adult range; either bound may be null (open)."""

    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> NormalRange:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("`low` must not exceed `high`")
        return self


class MeasureFlag(Frozen):
    """The finding raised when a value leaves the normal range on one side (null: none)."""

    finding: SlugId | None = None


class MovementMeasure(Frozen):
    """A posture or gait measure. A value is flagged only beyond ``normal`` +- ``error``."""

    id: SlugId
    name: Text
    kind: MovementKind
    views: tuple[Text, ...] = Field(min_length=1)
    unit: MovementUnit
    normal: NormalRange
    error: float = Field(default=0.0, ge=0)
    low: MeasureFlag | None = None
    high: MeasureFlag | None = None
    note: str = ""
    sources: MovementCitations

    @property
    def source_ids(self) -> tuple[str, ...]:
        return citation_ids(self.sources)


class MovementFinding(Frozen):
    """What a flagged measure means, with the muscles that tend to be short or long."""

    id: SlugId
    name: Text
    kind: MovementKind
    short: tuple[SlugId, ...] = ()
    long: tuple[SlugId, ...] = ()
    patterns: tuple[SlugId, ...] = ()
    note: str = ""
    sources: MovementCitations

    @property
    def source_ids(self) -> tuple[str, ...]:
        return citation_ids(self.sources)


class MovementPattern(Frozen):
    """A pattern suggested when at least ``min_findings`` of its findings are present."""

    id: SlugId
    name: Text
    findings: tuple[SlugId, ...] = Field(min_length=1)
    min_findings: int = Field(default=1, ge=1)
    short: tuple[SlugId, ...] = ()
    long: tuple[SlugId, ...] = ()
    note: str = ""
    sources: MovementCitations

    @property
    def source_ids(self) -> tuple[str, ...]:
        return citation_ids(self.sources)


CurvePoint = tuple[float, float, float]  # percent of cycle, mean, sd


class MovementCurve(Frozen):
    """A normative joint-angle curve over a gait cycle: ``[percent, mean, sd]`` points."""

    id: SlugId
    name: Text
    unit: MovementUnit
    points: tuple[CurvePoint, ...] = Field(min_length=2)
    sources: MovementCitations

    @property
    def source_ids(self) -> tuple[str, ...]:
        return citation_ids(self.sources)


# The top-level keys of a movement file and the model of their items (every key optional).
MOVEMENT_KEYS: dict[str, type[Frozen]] = {
    "measures": MovementMeasure,
    "findings": MovementFinding,
    "patterns": MovementPattern,
    "curves": MovementCurve,
}
