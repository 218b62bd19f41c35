import io

import pytest
from django.core.management import CommandError, call_command

from inventory.imports import gtin_is_valid
from inventory.models import SKU, ChannelListing, Product, StockLevel, StockMovement
from tests.inventory.factories import SKUFactory
from tests.stores.factories import LocationFactory, SalesChannelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    LocationFactory(code="MI01")
    LocationFactory(code="WH01", kind="warehouse")
    for code in ("A-1", "A-2", "B-1"):
        SKUFactory(code=code)


def write_csv(tmp_path, text, name="stock.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(command, path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command(command, path, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_stock_sets_on_hand_with_count_movements(tmp_path, catalog):
    path = write_csv(tmp_path, "location,sku,on_hand\nMI01,A-1,5\nWH01,A-1,40\nMI01,B-1,0\n")
    out, _err = run("import_stock", path)
    assert "3 stock lines read: 2 written, 1 unchanged" in out
    assert StockLevel.objects.get(location__code="WH01", sku__code="A-1").on_hand == 40
    run("import_stock", write_csv(tmp_path, "location,sku,on_hand\nWH01,A-1,37\n", "again.csv"))
    movement = StockMovement.objects.filter(location__code="WH01").order_by("id").last()
    assert (movement.reason, movement.delta_on_hand, movement.on_hand_after) == ("count", -3, 37)


def test_one_bad_line_writes_nothing_and_is_named(tmp_path, catalog):
    path = write_csv(tmp_path, "location,sku,on_hand\nMI01,A-1,5\nMI01,NOPE,2\nWH01,A-2,3\n")
    with pytest.raises(CommandError, match="1 bad line"):
        run("import_stock", path)
    assert not StockLevel.objects.exists() and not StockMovement.objects.exists()


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("XX01,A-1,5", "unknown location 'XX01'"),
        ("MI01,NOPE,5", "unknown SKU 'NOPE'"),
        ("MI01,A-1,-1", "cannot be negative"),
        ("MI01,A-1,two", "must be a whole number"),
        ("MI01,A-1", "wrong number of fields"),
        ("MI01,A-1,1,extra", "wrong number of fields"),
        ("MI01,A-2,1", "already on line 2"),
        ("MI01,A-1,99999999999999999999", "at most 2147483647"),  # a crash before (issue 25, item 12)
        ("MI01,A-1,²", "must be a whole number"),
    ],
)
def test_every_bad_line_gets_its_number_and_reason(tmp_path, catalog, line, reason):
    path = write_csv(tmp_path, f"location,sku,on_hand\nMI01,A-2,4\n{line}\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_stock", path, stdout=io.StringIO(), stderr=err)
    assert f"{path}:3: " in err.getvalue() and reason in err.getvalue()
    assert not StockLevel.objects.exists()


def test_skip_invalid_applies_the_good_lines(tmp_path, catalog):
    path = write_csv(tmp_path, "location,sku,on_hand\nMI01,A-1,5\nMI01,NOPE,2\nWH01,A-2,3\n")
    out, err = run("import_stock", path, "--skip-invalid")
    assert "2 written" in out and "1 bad lines skipped" in out and ":3: unknown SKU" in err
    assert StockLevel.objects.count() == 2


def test_a_count_below_committed_is_refused(tmp_path, catalog):
    from inventory import services

    mi01, sku = LocationFactory(code="MI01"), SKU.objects.get(code="A-1")
    services.receive_stock(location=mi01, sku=sku, quantity=5)
    services.hold_stock(lines=[(mi01, sku, 3)], kind="allocation", reference="o:1")
    path = write_csv(tmp_path, "location,sku,on_hand\nWH01,A-2,9\nMI01,A-1,2\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_stock", path, stdout=io.StringIO(), stderr=err)
    assert ":3: on_hand 2 is below the 3 units committed" in err.getvalue()
    assert not StockLevel.objects.filter(location__code="WH01").exists()


def test_missing_columns_and_missing_files_are_clear_errors(tmp_path, catalog):
    with pytest.raises(CommandError, match="missing columns: on_hand"):
        run("import_stock", write_csv(tmp_path, "location,sku\nMI01,A-1\n"))
    with pytest.raises(CommandError, match="No such file"):
        run("import_stock", str(tmp_path / "absent.csv"))


def test_import_catalog_creates_and_updates(tmp_path):
    SalesChannelFactory(code="web")
    SalesChannelFactory(code="marketplace", kind="marketplace")
    text = (
        "style,name,brand,category,sku,gtin,colour,size,price,channels\n"
        "TSH9,T-shirt lino,Brunello,T-shirt,TSH9-BIA-M,8012345000012,Bianco,M,29.90,\n"
        "TSH9,T-shirt lino,Brunello,T-shirt,TSH9-BIA-L,,Bianco,L,31.00,web\n"
    )
    out, _ = run("import_catalog", write_csv(tmp_path, text, "catalog.csv"))
    assert "2 catalog lines read: 2 written" in out
    assert Product.objects.get(style="TSH9").name == "T-shirt lino"
    assert ChannelListing.objects.filter(sku__code="TSH9-BIA-M").count() == 2
    assert list(ChannelListing.objects.filter(sku__code="TSH9-BIA-L").values_list("channel__code", "price")) == [
        ("web", 31)
    ]
    run("import_catalog", write_csv(tmp_path, "style,name,sku,size\nTSH9,T-shirt lino,TSH9-BIA-M,M/L\n", "c2.csv"))
    assert SKU.objects.get(code="TSH9-BIA-M").size == "M/L"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("S1,,S1-M,,", "name is empty"),
        ("S1,Name,S1-M,8012345000013,", "not a valid GTIN"),
        ("S1,Name,S1-M,,abc", "price must be a number"),
        ("S1,Name,S1-M,,-1", "price must be"),
        ("S1,Name,S1-M,,1.999", "at most 2 decimals"),
        ("S1,Other name,S1-X,,", "is named 'Name' on line 2"),
        ("S1,Name,S1-A,,", "already on line 2"),
        ("S1,Name,S1-N\x00,,", "sku contains a NUL character"),  # issue 25, item 12
    ],
)
def test_bad_catalog_lines_write_nothing(tmp_path, line, reason):
    path = write_csv(tmp_path, f"style,name,sku,gtin,price\nS1,Name,S1-A,,10\n{line}\n", "catalog.csv")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_catalog", path, stdout=io.StringIO(), stderr=err)
    assert ":3: " in err.getvalue() and reason in err.getvalue()
    assert not Product.objects.exists()


def test_gtin_check_digits():
    assert gtin_is_valid("8012345000012") and gtin_is_valid("96385074") and gtin_is_valid("036000291452")
    assert not gtin_is_valid("8012345000013") and not gtin_is_valid("80123") and not gtin_is_valid("abcdefghijklm")
