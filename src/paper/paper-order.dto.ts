import { IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** An entry order placed in the paper account through the engine (POST /paper/orders). */
export class PaperOrderDto {
  @IsOptional()
  @IsIn(['NSE', 'BSE', 'NFO', 'BFO', 'MCX', 'CDS'])
  exchange: string = 'NSE';

  @IsString()
  @Matches(/^[A-Z0-9&-]{1,40}$/, { message: 'tradingsymbol must look like SBIN or NIFTY24DEC24000CE' })
  tradingsymbol: string;

  @IsIn(['BUY', 'SELL'])
  transaction_type: 'BUY' | 'SELL';

  @IsInt()
  @Min(1)
  @Max(100_000)
  quantity: number;

  @IsOptional()
  @IsIn(['MARKET', 'LIMIT'])
  order_type: 'MARKET' | 'LIMIT' = 'LIMIT';

  @IsOptional()
  @IsNumber()
  @Min(0)
  price?: number;

  @IsOptional()
  @IsIn(['MIS', 'CNC', 'NRML'])
  product: string = 'MIS';

  /** The tag a strategy filters on, e.g. twoleg. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9]{1,20}$/, { message: 'tag must be 1–20 letters or digits' })
  tag?: string;
}
