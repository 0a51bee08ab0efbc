from .inventory import InventoryRepository
from .orders import OrderRepository
from .users import UserRepository

__all__ = ["InventoryRepository", "OrderRepository", "UserRepository"]
