package kinesis

// decodePutRecords decodes a PutRecords body.
func decodePutRecords(c *call) (*putRecordsIn, error) {
	var in putRecordsIn
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	in.hasRecords = in.Records != nil
	return &in, nil
}
