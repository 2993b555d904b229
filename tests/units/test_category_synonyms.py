"""The words an import reads as each category, kept by the administrator in the product
(issue #14, point 4): the page, its rights, adding and removing words."""

import pytest
from django.urls import reverse

from units.models import CategorySynonym, UnitCategory


@pytest.fixture
def cafes(db):
    return UnitCategory.objects.get(code="nha_hang_quan_an")


def test_the_seeded_synonyms_are_there(db):
    assert {s.words for s in CategorySynonym.objects.filter(category__code="nha_hang_quan_an")} >= {
        "Nhà hàng", "Quán cà phê", "Quán ăn"}
    assert CategorySynonym.objects.get(key="truong thcs").category.code == "truong_hoc"
    assert CategorySynonym.objects.get(key="tram y te").category.code == "benh_vien_co_so_y_te"
    assert CategorySynonym.objects.get(key="cho").category.code == "cho"


def test_the_administrator_adds_words_and_the_page_lists_them(client, administrator, cafes):
    client.force_login(administrator)

    response = client.post(reverse("units:category_list"), {"category": cafes.pk, "words": "  Quán  trà sữa "})

    assert response.status_code == 302
    synonym = CategorySynonym.objects.get(key="quan tra sua")
    assert (synonym.words, synonym.category, synonym.created_by) == ("Quán trà sữa", cafes, administrator)
    page = client.get(reverse("units:category_list")).content.decode()
    assert "Quán trà sữa" in page
    assert "Từ nay “Quán trà sữa” được đọc là “Nhà hàng, quán ăn, quán cà phê”." in page


def test_words_that_already_name_a_category_are_refused_in_vietnamese(client, administrator, cafes):
    client.force_login(administrator)
    before = CategorySynonym.objects.count()

    response = client.post(reverse("units:category_list"), {"category": cafes.pk, "words": "TRUONG THCS"})

    assert response.status_code == 200
    assert response.context["form"].errors["words"] == ["“Trường THCS” đã là tên của loại hình “Trường học”."]
    assert CategorySynonym.objects.count() == before


def test_empty_words_are_refused(client, administrator, cafes):
    client.force_login(administrator)
    before = CategorySynonym.objects.count()

    response = client.post(reverse("units:category_list"), {"category": cafes.pk, "words": " ,.; "})

    assert response.context["form"].errors["words"] == ["Hãy gõ những từ gọi tên loại hình."]
    assert CategorySynonym.objects.count() == before


def test_the_administrator_removes_words(client, administrator):
    client.force_login(administrator)
    synonym = CategorySynonym.objects.get(key="cafe")

    response = client.post(reverse("units:category_synonym_delete", args=[synonym.pk]))

    assert response.status_code == 302
    assert not CategorySynonym.objects.filter(key="cafe").exists()
    assert client.post(reverse("units:category_synonym_delete", args=[synonym.pk])).status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "leadership", "office", "inspector"])
def test_other_roles_may_not_keep_the_words(client, request, role, cafes):
    user = request.getfixturevalue(role)
    client.force_login(user)
    synonym = CategorySynonym.objects.get(key="cafe")

    assert client.get(reverse("units:category_list")).status_code == 403
    assert client.post(reverse("units:category_list"), {"category": cafes.pk, "words": "Bia hơi"}).status_code == 403
    assert client.post(reverse("units:category_synonym_delete", args=[synonym.pk])).status_code == 403
    assert CategorySynonym.objects.filter(key__in=["cafe", "bia hoi"]).count() == 1


@pytest.mark.parametrize("count", [1, 3])
def test_the_page_runs_a_fixed_number_of_queries(client, administrator, cafes, count, django_assert_num_queries):
    CategorySynonym.objects.all().delete()
    for number in range(count):
        CategorySynonym.objects.create(category=cafes, words=f"Quán số {number}", key=f"quan so {number}")
    client.force_login(administrator)

    # session, user with their groups, the category select, the categories, their synonyms
    with django_assert_num_queries(5):
        response = client.get(reverse("units:category_list"))
    assert [s.words for s in response.context["categories"].get(code="nha_hang_quan_an").synonyms.all()] == [
        f"Quán số {number}" for number in range(count)]
