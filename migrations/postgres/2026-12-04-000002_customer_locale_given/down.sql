UPDATE orders SET customer_locale = 'en' WHERE customer_locale = '';
