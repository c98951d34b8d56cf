import { InvalidPostbackError, parsePostback } from './postback.parser';

const valid = { order_id: '220303000308932', order_timestamp: '2022-03-03 09:31:25', status: 'UPDATE', quantity: 10, filled_quantity: 3, average_price: 100 };

describe('parsePostback', () => {
  it('accepts numeric strings where Kite sends numbers, and keeps unknown fields', () => {
    const parsed = parsePostback(JSON.stringify({ ...valid, quantity: '10', extra_field: { nested: true } }));
    expect(parsed.orderId).toBe('220303000308932');
    expect(parsed.payload.extra_field).toEqual({ nested: true });
  });

  it.each([
    ['quantity', 'abc'],
    ['filled_quantity', [1, 2]],
    ['average_price', {}],
    ['price', 'NaN'],
  ])('refuses %s = %j with a reason naming the field (a 400, not a 500 later)', (field, value) => {
    let error: unknown;
    try {
      parsePostback(JSON.stringify({ ...valid, [field]: value }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidPostbackError);
    expect((error as InvalidPostbackError).reason).toMatch(new RegExp(`^${field} is not a number`));
    expect((error as InvalidPostbackError).orderId).toBe('220303000308932');
  });
});
