from decimal import Decimal

import pytest

from inventory import services
from tests.inventory.factories import ChannelListingFactory, ProductFactory, SKUFactory
from tests.stores.factories import LocationFactory


@pytest.fixture
def shop(web_channel):
    """Two Milan stores and a warehouse selling on web; a Rome store that does not sell on web."""
    mi01 = LocationFactory(code="MI01", latitude=45.4786, longitude=9.2105)
    mi02 = LocationFactory(code="MI02", latitude=45.4615, longitude=9.1866)
    wh01 = LocationFactory(code="WH01", kind="warehouse", latitude=45.3237, longitude=9.1371)
    rm01 = LocationFactory(code="RM01", latitude=41.9009, longitude=12.4801)
    web_channel.source_locations.set([mi01, mi02, wh01])
    product = ProductFactory(style="TSH001", name="T-shirt girocollo", category="T-shirt")
    tee_m = SKUFactory(product=product, code="TSH001-NER-M", gtin="8012345000012", colour="Nero", size="M")
    tee_l = SKUFactory(product=product, code="TSH001-NER-L", gtin="8012345000029", colour="Nero", size="L")
    ChannelListingFactory(sku=tee_m, channel=web_channel, price=Decimal("19.90"))
    ChannelListingFactory(sku=tee_l, channel=web_channel, price=Decimal("21.90"))
    for location, sku, qty in [
        (mi01, tee_m, 3),
        (mi02, tee_m, 2),
        (wh01, tee_m, 10),
        (rm01, tee_m, 4),
        (wh01, tee_l, 1),
    ]:
        services.receive_stock(location=location, sku=sku, quantity=qty)
    services.set_safety_stock(location=mi01, sku=tee_m, safety_stock=1)
    return {"MI01": mi01, "MI02": mi02, "WH01": wh01, "RM01": rm01, "tee_m": tee_m, "tee_l": tee_l}
