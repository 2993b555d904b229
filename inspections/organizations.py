"""The bodies of the plan's team (plan II.3, III.1): the DIC's divisions, the Department
of Health and each district's Culture and Information division (Phòng VHTT)."""

from django.conf import settings
from django.db import transaction

from inspections.models import Organization
from units.models import Division

DIC_NAME = "Sở Thông tin và Truyền thông tỉnh Hà Tĩnh"
DIC_DIVISIONS = [
    # (name, short name): the bodies the plan names (section II.3 and III.1).
    ("Thanh tra Sở Thông tin và Truyền thông", "Thanh tra Sở"),
    ("Phòng Công nghệ thông tin, Sở Thông tin và Truyền thông", "Phòng CNTT"),
    ("Văn phòng Sở Thông tin và Truyền thông", "Văn phòng Sở"),
]
HEALTH_DEPARTMENT = ("Sở Y tế tỉnh Hà Tĩnh", "Sở Y tế")


@transaction.atomic
def seed_organizations(*, province_code: int | None = None) -> int:
    """Create the bodies of the plan's team: the DIC's Inspectorate, IT Division and
    Office, the Department of Health and one Culture and Information division (Phòng
    VHTT) per district of the province. Needs the divisions loaded. Returns how many
    were created; existing ones are left as an administrator may have edited them.
    """
    province_code = province_code or settings.REGISTRY_PROVINCE_CODE
    wanted = [(name, short, Organization.Kind.DIC_DIVISION, None) for name, short in DIC_DIVISIONS]
    wanted.append((*HEALTH_DEPARTMENT, Organization.Kind.HEALTH, None))
    districts = Division.objects.filter(
        parent__level=Division.Level.PROVINCE, parent__code=province_code, level=Division.Level.DISTRICT
    )
    for district in districts.order_by("code"):
        wanted.append((f"Phòng Văn hóa và Thông tin {district.name}", "Phòng VHTT",
                       Organization.Kind.DISTRICT_VHTT, district))
    created = 0
    for name, short_name, kind, district in wanted:
        # A district's VHTT is found by its district, so a renamed one is not made twice.
        lookup = {"kind": kind, "district": district} if district else {"name": name}
        defaults = {"name": name, "short_name": short_name, "kind": kind, "district": district}
        _organization, was_created = Organization.objects.get_or_create(**lookup, defaults=defaults)
        created += was_created
    return created
