/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`proto/test/contracts.test.ts > TAP > stream and consumer settings are unchanged unless the snapshot is updated > consumers 1`] = `
[
  {
    "stream": "KALLA_JOBS",
    "durable": "matcher",
    "filterSubject": "kalla.jobs.match.v1",
    "ackWaitMs": 15000,
    "maxDeliver": 3,
    "backoffMs": [
      10000,
      60000
    ],
    "concurrency": 1
  },
  {
    "stream": "KALLA_EVENTS",
    "durable": "runs-events",
    "filterSubject": "kalla.runs.events.v1.>",
    "ackWaitMs": 30000,
    "maxDeliver": 10,
    "backoffMs": [
      1000,
      5000,
      30000
    ],
    "concurrency": 1
  }
]
`

exports[`proto/test/contracts.test.ts > TAP > stream and consumer settings are unchanged unless the snapshot is updated > streams 1`] = `
[
  {
    "name": "KALLA_JOBS",
    "description": "Matching jobs waiting for a matcher (work queue)",
    "subjects": [
      "kalla.jobs.>"
    ],
    "retention": "workqueue",
    "discard": "new",
    "maxAgeMs": 604800000,
    "maxBytes": 268435456,
    "duplicateWindowMs": 600000,
    "storage": "file",
    "replicas": 1
  },
  {
    "name": "KALLA_EVENTS",
    "description": "Run progress, completion and failure events",
    "subjects": [
      "kalla.runs.events.>"
    ],
    "retention": "limits",
    "discard": "old",
    "maxAgeMs": 604800000,
    "maxBytes": 1073741824,
    "duplicateWindowMs": 120000,
    "storage": "file",
    "replicas": 1
  },
  {
    "name": "KALLA_RUNS",
    "description": "Run states, published by the runs service after each recorded change",
    "subjects": [
      "kalla.runs.updated.>"
    ],
    "retention": "limits",
    "discard": "old",
    "maxAgeMs": 86400000,
    "maxBytes": 268435456,
    "duplicateWindowMs": 120000,
    "storage": "file",
    "replicas": 1
  }
]
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > CancelRun 1`] = `
{
  "subject": "kalla.runs.cancel.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "run_id"
    ],
    "properties": {
      "run_id": {
        "type": "string"
      }
    }
  },
  "response": {
    "type": "object",
    "required": [
      "run_id",
      "recipe_id",
      "status",
      "created_at",
      "updated_at"
    ],
    "properties": {
      "run_id": {
        "type": "string"
      },
      "recipe_id": {
        "type": "string"
      },
      "status": {
        "enum": [
          "submitted",
          "staging",
          "matching",
          "writing_results",
          "completed",
          "failed",
          "cancelled"
        ]
      },
      "stage": {
        "enum": [
          "staging",
          "matching",
          "writing_results"
        ]
      },
      "source": {
        "type": "string"
      },
      "progress": {
        "type": "number",
        "minimum": 0,
        "maximum": 1
      },
      "matched_count": {
        "type": "integer",
        "minimum": 0
      },
      "matched_left": {
        "type": "integer",
        "minimum": 0
      },
      "matched_right": {
        "type": "integer",
        "minimum": 0
      },
      "unmatched_left_count": {
        "type": "integer",
        "minimum": 0
      },
      "unmatched_right_count": {
        "type": "integer",
        "minimum": 0
      },
      "total_left": {
        "type": "integer",
        "minimum": 0
      },
      "total_right": {
        "type": "integer",
        "minimum": 0
      },
      "decisions": {
        "type": "object",
        "required": [
          "sql_matched_left",
          "sql_matched_right",
          "decision_matched_left",
          "decision_matched_right",
          "written_off_left",
          "written_off_right",
          "unmatched_by_decision",
          "decisions_not_applied"
        ],
        "properties": {
          "sql_matched_left": {
            "type": "integer",
            "minimum": 0
          },
          "sql_matched_right": {
            "type": "integer",
            "minimum": 0
          },
          "decision_matched_left": {
            "type": "integer",
            "minimum": 0
          },
          "decision_matched_right": {
            "type": "integer",
            "minimum": 0
          },
          "written_off_left": {
            "type": "integer",
            "minimum": 0
          },
          "written_off_right": {
            "type": "integer",
            "minimum": 0
          },
          "unmatched_by_decision": {
            "type": "integer",
            "minimum": 0
          },
          "decisions_not_applied": {
            "type": "integer",
            "minimum": 0
          }
        },
        "additionalProperties": false
      },
      "explain": {
        "type": "object",
        "required": [
          "available",
          "conditions",
          "skipped",
          "explained_left",
          "explained_right"
        ],
        "properties": {
          "available": {
            "type": "boolean"
          },
          "reason": {
            "type": "string"
          },
          "conditions": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "skipped": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "condition",
                "reason"
              ],
              "properties": {
                "condition": {
                  "type": "string"
                },
                "reason": {
                  "type": "string"
                }
              },
              "additionalProperties": false
            }
          },
          "explained_left": {
            "type": "integer",
            "minimum": 0
          },
          "explained_right": {
            "type": "integer",
            "minimum": 0
          }
        },
        "additionalProperties": false
      },
      "error": {
        "type": "object",
        "required": [
          "code",
          "message",
          "stage"
        ],
        "properties": {
          "code": {
            "type": "string"
          },
          "message": {
            "type": "string"
          },
          "stage": {
            "enum": [
              "validating",
              "staging",
              "matching",
              "writing_results",
              "dispatch"
            ]
          }
        },
        "additionalProperties": false
      },
      "outputs": {
        "type": "object",
        "required": [
          "matched",
          "unmatched_left",
          "unmatched_right",
          "summary"
        ],
        "properties": {
          "matched": {
            "type": "string"
          },
          "unmatched_left": {
            "type": "string"
          },
          "unmatched_right": {
            "type": "string"
          },
          "summary": {
            "type": "string"
          },
          "decided_left": {
            "type": "string"
          },
          "decided_right": {
            "type": "string"
          },
          "explain_left": {
            "type": "string"
          },
          "explain_right": {
            "type": "string"
          }
        },
        "additionalProperties": false
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "started_at": {
        "type": "string",
        "format": "date-time"
      },
      "finished_at": {
        "type": "string",
        "format": "date-time"
      },
      "updated_at": {
        "type": "string",
        "format": "date-time"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > CreateUpload 1`] = `
{
  "subject": "kalla.sources.uploads.create.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "key",
      "filename",
      "size_bytes"
    ],
    "properties": {
      "key": {
        "type": "string"
      },
      "filename": {
        "type": "string"
      },
      "size_bytes": {
        "type": "integer",
        "minimum": 0
      },
      "uploaded_by": {
        "type": "string",
        "minLength": 1,
        "maxLength": 300
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "upload_id",
      "filename",
      "format",
      "columns",
      "size_bytes",
      "key",
      "created_at",
      "expires_at"
    ],
    "properties": {
      "upload_id": {
        "type": "string"
      },
      "filename": {
        "type": "string"
      },
      "format": {
        "enum": [
          "csv",
          "parquet",
          "json",
          "xlsx"
        ]
      },
      "columns": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "name",
            "type"
          ],
          "properties": {
            "name": {
              "type": "string"
            },
            "type": {
              "type": "string"
            }
          },
          "additionalProperties": false
        }
      },
      "size_bytes": {
        "type": "integer",
        "minimum": 0
      },
      "key": {
        "type": "string",
        "description": "Object storage key of the file"
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "expires_at": {
        "type": "string",
        "format": "date-time"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > DeleteRecipe 1`] = `
{
  "subject": "kalla.recipes.delete.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "recipe_id"
    ],
    "properties": {
      "recipe_id": {
        "type": "string"
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "deleted"
    ],
    "properties": {
      "deleted": {
        "type": "boolean"
      }
    }
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > DescribeUpload 1`] = `
{
  "subject": "kalla.sources.uploads.describe.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "upload_id",
      "options"
    ],
    "properties": {
      "upload_id": {
        "type": "string"
      },
      "options": {
        "type": "object",
        "properties": {
          "file": {
            "type": "object",
            "properties": {
              "delimiter": {
                "type": "string",
                "minLength": 1,
                "maxLength": 1,
                "description": "The field delimiter of a CSV file"
              },
              "encoding": {
                "enum": [
                  "utf-8",
                  "utf-16le",
                  "utf-16be",
                  "windows-1252",
                  "iso-8859-1"
                ]
              },
              "header_row": {
                "type": "integer",
                "minimum": 1,
                "maximum": 1000,
                "description": "The line (or spreadsheet row) that holds the column names; the records follow it"
              },
              "sheet": {
                "type": "string",
                "minLength": 1,
                "maxLength": 31,
                "description": "The worksheet of an Excel workbook (default: the first)"
              }
            },
            "additionalProperties": false
          },
          "columns": {
            "type": "object",
            "patternProperties": {
              "^.*$": {
                "type": "object",
                "properties": {
                  "type": {
                    "enum": [
                      "text",
                      "integer",
                      "decimal",
                      "date",
                      "timestamp",
                      "boolean"
                    ]
                  },
                  "decimal_separator": {
                    "enum": [
                      ".",
                      ","
                    ],
                    "description": "The decimal mark of a number column"
                  },
                  "thousands_separator": {
                    "enum": [
                      ",",
                      ".",
                      " ",
                      "'",
                      " ",
                      " ",
                      ""
                    ],
                    "description": "The digit-group separator of a number column (\\"\\" for none)"
                  },
                  "date_format": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 64,
                    "description": "A strptime format for a date or timestamp column, e.g. %d/%m/%Y"
                  }
                },
                "additionalProperties": false
              }
            }
          }
        },
        "additionalProperties": false
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "upload_id",
      "filename",
      "format",
      "columns",
      "size_bytes",
      "key",
      "created_at",
      "expires_at"
    ],
    "properties": {
      "upload_id": {
        "type": "string"
      },
      "filename": {
        "type": "string"
      },
      "format": {
        "enum": [
          "csv",
          "parquet",
          "json",
          "xlsx"
        ]
      },
      "columns": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "name",
            "type"
          ],
          "properties": {
            "name": {
              "type": "string"
            },
            "type": {
              "type": "string"
            }
          },
          "additionalProperties": false
        }
      },
      "size_bytes": {
        "type": "integer",
        "minimum": 0
      },
      "key": {
        "type": "string",
        "description": "Object storage key of the file"
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "expires_at": {
        "type": "string",
        "format": "date-time"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > DraftRecipe 1`] = `
{
  "subject": "kalla.recipes.draft.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "sources",
      "prompt",
      "sample_rows"
    ],
    "properties": {
      "sources": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "alias"
          ],
          "properties": {
            "alias": {
              "type": "string",
              "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
              "description": "A plain SQL identifier"
            },
            "upload_id": {
              "type": "string",
              "minLength": 1
            },
            "uri": {
              "type": "string",
              "minLength": 1
            },
            "options": {
              "type": "object",
              "properties": {
                "file": {
                  "type": "object",
                  "properties": {
                    "delimiter": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 1,
                      "description": "The field delimiter of a CSV file"
                    },
                    "encoding": {
                      "enum": [
                        "utf-8",
                        "utf-16le",
                        "utf-16be",
                        "windows-1252",
                        "iso-8859-1"
                      ]
                    },
                    "header_row": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 1000,
                      "description": "The line (or spreadsheet row) that holds the column names; the records follow it"
                    },
                    "sheet": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 31,
                      "description": "The worksheet of an Excel workbook (default: the first)"
                    }
                  },
                  "additionalProperties": false
                },
                "columns": {
                  "type": "object",
                  "patternProperties": {
                    "^.*$": {
                      "type": "object",
                      "properties": {
                        "type": {
                          "enum": [
                            "text",
                            "integer",
                            "decimal",
                            "date",
                            "timestamp",
                            "boolean"
                          ]
                        },
                        "decimal_separator": {
                          "enum": [
                            ".",
                            ","
                          ],
                          "description": "The decimal mark of a number column"
                        },
                        "thousands_separator": {
                          "enum": [
                            ",",
                            ".",
                            " ",
                            "'",
                            " ",
                            " ",
                            ""
                          ],
                          "description": "The digit-group separator of a number column (\\"\\" for none)"
                        },
                        "date_format": {
                          "type": "string",
                          "minLength": 1,
                          "maxLength": 64,
                          "description": "A strptime format for a date or timestamp column, e.g. %d/%m/%Y"
                        }
                      },
                      "additionalProperties": false
                    }
                  }
                }
              },
              "additionalProperties": false
            }
          },
          "additionalProperties": false
        },
        "minItems": 2,
        "maxItems": 2
      },
      "prompt": {
        "type": "string",
        "minLength": 1,
        "maxLength": 2000
      },
      "sample_rows": {
        "type": "integer",
        "minimum": 1,
        "maximum": 100000,
        "default": 1000
      }
    }
  },
  "response": {
    "type": "object",
    "required": [
      "problems",
      "sample_values_shared"
    ],
    "properties": {
      "recipe": {
        "type": "object",
        "required": [
          "recipe_id",
          "name",
          "match_sql",
          "sources"
        ],
        "properties": {
          "recipe_id": {
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
          },
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "description": {
            "type": "string"
          },
          "match_sql": {
            "type": "string"
          },
          "match_description": {
            "type": "string"
          },
          "sources": {
            "type": "object",
            "required": [
              "left",
              "right"
            ],
            "properties": {
              "left": {
                "type": "object",
                "required": [
                  "alias",
                  "type",
                  "primary_key"
                ],
                "properties": {
                  "alias": {
                    "type": "string",
                    "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
                    "description": "A plain SQL identifier"
                  },
                  "type": {
                    "enum": [
                      "postgres",
                      "bigquery",
                      "elasticsearch",
                      "file"
                    ]
                  },
                  "uri": {
                    "type": "string",
                    "minLength": 1
                  },
                  "schema": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  "primary_key": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  "options": {
                    "type": "object",
                    "properties": {
                      "file": {
                        "type": "object",
                        "properties": {
                          "delimiter": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 1,
                            "description": "The field delimiter of a CSV file"
                          },
                          "encoding": {
                            "enum": [
                              "utf-8",
                              "utf-16le",
                              "utf-16be",
                              "windows-1252",
                              "iso-8859-1"
                            ]
                          },
                          "header_row": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 1000,
                            "description": "The line (or spreadsheet row) that holds the column names; the records follow it"
                          },
                          "sheet": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 31,
                            "description": "The worksheet of an Excel workbook (default: the first)"
                          }
                        },
                        "additionalProperties": false
                      },
                      "columns": {
                        "type": "object",
                        "patternProperties": {
                          "^.*$": {
                            "type": "object",
                            "properties": {
                              "type": {
                                "enum": [
                                  "text",
                                  "integer",
                                  "decimal",
                                  "date",
                                  "timestamp",
                                  "boolean"
                                ]
                              },
                              "decimal_separator": {
                                "enum": [
                                  ".",
                                  ","
                                ],
                                "description": "The decimal mark of a number column"
                              },
                              "thousands_separator": {
                                "enum": [
                                  ",",
                                  ".",
                                  " ",
                                  "'",
                                  " ",
                                  " ",
                                  ""
                                ],
                                "description": "The digit-group separator of a number column (\\"\\" for none)"
                              },
                              "date_format": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": 64,
                                "description": "A strptime format for a date or timestamp column, e.g. %d/%m/%Y"
                              }
                            },
                            "additionalProperties": false
                          }
                        }
                      }
                    },
                    "additionalProperties": false
                  }
                },
                "additionalProperties": false
              },
              "right": {
                "type": "object",
                "required": [
                  "alias",
                  "type",
                  "primary_key"
                ],
                "properties": {
                  "alias": {
                    "type": "string",
                    "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
                    "description": "A plain SQL identifier"
                  },
                  "type": {
                    "enum": [
                      "postgres",
                      "bigquery",
                      "elasticsearch",
                      "file"
                    ]
                  },
                  "uri": {
                    "type": "string",
                    "minLength": 1
                  },
                  "schema": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  "primary_key": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  "options": {
                    "type": "object",
                    "properties": {
                      "file": {
                        "type": "object",
                        "properties": {
                          "delimiter": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 1,
                            "description": "The field delimiter of a CSV file"
                          },
                          "encoding": {
                            "enum": [
                              "utf-8",
                              "utf-16le",
                              "utf-16be",
                              "windows-1252",
                              "iso-8859-1"
                            ]
                          },
                          "header_row": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 1000,
                            "description": "The line (or spreadsheet row) that holds the column names; the records follow it"
                          },
                          "sheet": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 31,
                            "description": "The worksheet of an Excel workbook (default: the first)"
                          }
                        },
                        "additionalProperties": false
                      },
                      "columns": {
                        "type": "object",
                        "patternProperties": {
                          "^.*$": {
                            "type": "object",
                            "properties": {
                              "type": {
                                "enum": [
                                  "text",
                                  "integer",
                                  "decimal",
                                  "date",
                                  "timestamp",
                                  "boolean"
                                ]
                              },
                              "decimal_separator": {
                                "enum": [
                                  ".",
                                  ","
                                ],
                                "description": "The decimal mark of a number column"
                              },
                              "thousands_separator": {
                                "enum": [
                                  ",",
                                  ".",
                                  " ",
                                  "'",
                                  " ",
                                  " ",
                                  ""
                                ],
                                "description": "The digit-group separator of a number column (\\"\\" for none)"
                              },
                              "date_format": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": 64,
                                "description": "A strptime format for a date or timestamp column, e.g. %d/%m/%Y"
                              }
                            },
                            "additionalProperties": false
                          }
                        }
                      }
                    },
                    "additionalProperties": false
                  }
                },
                "additionalProperties": false
              }
            },
            "additionalProperties": false
          }
        },
        "additionalProperties": false
      },
      "problems": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "code",
            "message"
          ],
          "properties": {
            "code": {
              "type": "string"
            },
            "message": {
              "type": "string"
            },
            "path": {
              "type": "string"
            }
          },
          "additionalProperties": false
        }
      },
      "preview": {
        "type": "object",
        "required": [
          "matched_count",
          "unmatched_left_count",
          "unmatched_right_count"
        ],
        "properties": {
          "matched_count": {
            "type": "integer",
            "minimum": 0
          },
          "unmatched_left_count": {
            "type": "integer",
            "minimum": 0
          },
          "unmatched_right_count": {
            "type": "integer",
            "minimum": 0
          }
        },
        "additionalProperties": false
      },
      "sample_values_shared": {
        "type": "boolean"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > ErrorReply 1`] = `
{
  "type": "object",
  "required": [
    "error"
  ],
  "properties": {
    "error": {
      "type": "object",
      "required": [
        "code",
        "message"
      ],
      "properties": {
        "code": {
          "type": "string",
          "pattern": "^[A-Z][A-Z0-9_]*$"
        },
        "message": {
          "type": "string"
        },
        "status": {
          "type": "integer",
          "minimum": 400,
          "maximum": 599
        },
        "problems": {
          "type": "array",
          "items": {
            "type": "object",
            "required": [
              "code",
              "message"
            ],
            "properties": {
              "code": {
                "type": "string"
              },
              "message": {
                "type": "string"
              },
              "path": {
                "type": "string"
              }
            },
            "additionalProperties": false
          }
        }
      },
      "additionalProperties": false
    }
  },
  "additionalProperties": false
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > GetExceptions 1`] = `
{
  "subject": "kalla.runs.exceptions.get.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "recipe_id",
      "records"
    ],
    "properties": {
      "recipe_id": {
        "type": "string"
      },
      "records": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "side",
            "key"
          ],
          "properties": {
            "side": {
              "enum": [
                "left",
                "right"
              ]
            },
            "key": {
              "type": "array",
              "items": {
                "type": "string",
                "maxLength": 1000
              },
              "minItems": 1,
              "maxItems": 16
            }
          },
          "additionalProperties": false
        },
        "maxItems": 10000
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "exceptions"
    ],
    "properties": {
      "exceptions": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "recipe_id",
            "side",
            "key",
            "state",
            "comments"
          ],
          "properties": {
            "recipe_id": {
              "type": "string"
            },
            "side": {
              "enum": [
                "left",
                "right"
              ]
            },
            "key": {
              "type": "array",
              "items": {
                "type": "string",
                "maxLength": 1000
              },
              "minItems": 1,
              "maxItems": 16
            },
            "state": {
              "enum": [
                "open",
                "investigating",
                "resolved"
              ]
            },
            "resolution": {
              "enum": [
                "matched_manually",
                "written_off",
                "timing",
                "data_corrected"
              ]
            },
            "write_off_status": {
              "enum": [
                "pending",
                "effective",
                "rejected"
              ]
            },
            "assignee": {
              "type": "string"
            },
            "due_date": {
              "type": "string",
              "format": "date"
            },
            "comments": {
              "type": "array",
              "items": {
                "type": "object",
                "required": [
                  "author",
                  "body",
                  "at"
                ],
                "properties": {
                  "author": {
                    "type": "object",
                    "required": [
                      "name",
                      "id"
                    ],
                    "properties": {
                      "name": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 200
                      },
                      "id": {
                        "anyOf": [
                          {
                            "type": "string"
                          },
                          {
                            "type": "null"
                          }
                        ]
                      }
                    },
                    "additionalProperties": false
                  },
                  "body": {
                    "type": "string"
                  },
                  "at": {
                    "type": "string",
                    "format": "date-time"
                  }
                },
                "additionalProperties": false
              }
            },
            "updated_by": {
              "type": "object",
              "required": [
                "name",
                "id"
              ],
              "properties": {
                "name": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 200
                },
                "id": {
                  "anyOf": [
                    {
                      "type": "string"
                    },
                    {
                      "type": "null"
                    }
                  ]
                }
              },
              "additionalProperties": false
            },
            "updated_at": {
              "type": "string",
              "format": "date-time"
            },
            "first_seen_at": {
              "type": "string",
              "format": "date-time"
            },
            "first_seen_run_id": {
              "type": "string"
            },
            "runs_unmatched": {
              "type": "integer",
              "minimum": 0
            }
          },
          "additionalProperties": false
        }
      }
    }
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > GetRecipe 1`] = `
{
  "subject": "kalla.recipes.get.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "recipe_id"
    ],
    "properties": {
      "recipe_id": {
        "type": "string"
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "recipe",
      "created_at",
      "updated_at"
    ],
    "properties": {
      "recipe": {
        "type": "object",
        "required": [
          "recipe_id",
          "name",
          "match_sql",
          "sources"
        ],
        "properties": {
          "recipe_id": {
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
          },
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "description": {
            "type": "string"
          },
          "match_sql": {
            "type": "string"
          },
          "match_description": {
            "type": "string"
          },
          "sources": {
            "type": "object",
            "required": [
              "left",
              "right"
            ],
            "properties": {
              "left": {
                "type": "object",
                "required": [
                  "alias",
                  "type",
                  "primary_key"
                ],
                "properties": {
                  "alias": {
                    "type": "string",
                    "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
                    "description": "A plain SQL identifier"
                  },
                  "type": {
                    "enum": [
                      "postgres",
                      "bigquery",
                      "elasticsearch",
                      "file"
                    ]
                  },
                  "uri": {
                    "type": "string",
                    "minLength": 1
                  },
                  "schema": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  "primary_key": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  "options": {
                    "type": "object",
                    "properties": {
                      "file": {
                        "type": "object",
                        "properties": {
                          "delimiter": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 1,
                            "description": "The field delimiter of a CSV file"
                          },
                          "encoding": {
                            "enum": [
                              "utf-8",
                              "utf-16le",
                              "utf-16be",
                              "windows-1252",
                              "iso-8859-1"
                            ]
                          },
                          "header_row": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 1000,
                            "description": "The line (or spreadsheet row) that holds the column names; the records follow it"
                          },
                          "sheet": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 31,
                            "description": "The worksheet of an Excel workbook (default: the first)"
                          }
                        },
                        "additionalProperties": false
                      },
                      "columns": {
                        "type": "object",
                        "patternProperties": {
                          "^.*$": {
                            "type": "object",
                            "properties": {
                              "type": {
                                "enum": [
                                  "text",
                                  "integer",
                                  "decimal",
                                  "date",
                                  "timestamp",
                                  "boolean"
                                ]
                              },
                              "decimal_separator": {
                                "enum": [
                                  ".",
                                  ","
                                ],
                                "description": "The decimal mark of a number column"
                              },
                              "thousands_separator": {
                                "enum": [
                                  ",",
                                  ".",
                                  " ",
                                  "'",
                                  " ",
                                  " ",
                                  ""
                                ],
                                "description": "The digit-group separator of a number column (\\"\\" for none)"
                              },
                              "date_format": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": 64,
                                "description": "A strptime format for a date or timestamp column, e.g. %d/%m/%Y"
                              }
                            },
                            "additionalProperties": false
                          }
                        }
                      }
                    },
                    "additionalProperties": false
                  }
                },
                "additionalProperties": false
              },
              "right": {
                "type": "object",
                "required": [
                  "alias",
                  "type",
                  "primary_key"
                ],
                "properties": {
                  "alias": {
                    "type": "string",
                    "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
                    "description": "A plain SQL identifier"
                  },
                  "type": {
                    "enum": [
                      "postgres",
                      "bigquery",
                      "elasticsearch",
                      "file"
                    ]
                  },
                  "uri": {
                    "type": "string",
                    "minLength": 1
                  },
                  "schema": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  "primary_key": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  "options": {
                    "type": "object",
                    "properties": {
                      "file": {
                        "type": "object",
                        "properties": {
                          "delimiter": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 1,
                            "description": "The field delimiter of a CSV file"
                          },
                          "encoding": {
                            "enum": [
                              "utf-8",
                              "utf-16le",
                              "utf-16be",
                              "windows-1252",
                              "iso-8859-1"
                            ]
                          },
                          "header_row": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 1000,
                            "description": "The line (or spreadsheet row) that holds the column names; the records follow it"
                          },
                          "sheet": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 31,
                            "description": "The worksheet of an Excel workbook (default: the first)"
                          }
                        },
                        "additionalProperties": false
                      },
                      "columns": {
                        "type": "object",
                        "patternProperties": {
                          "^.*$": {
                            "type": "object",
                            "properties": {
                              "type": {
                                "enum": [
                                  "text",
                                  "integer",
                                  "decimal",
                                  "date",
                                  "timestamp",
                                  "boolean"
                                ]
                              },
                              "decimal_separator": {
                                "enum": [
                                  ".",
                                  ","
                                ],
                                "description": "The decimal mark of a number column"
                              },
                              "thousands_separator": {
                                "enum": [
                                  ",",
                                  ".",
                                  " ",
                                  "'",
                                  " ",
                                  " ",
                                  ""
                                ],
                                "description": "The digit-group separator of a number column (\\"\\" for none)"
                              },
                              "date_format": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": 64,
                                "description": "A strptime format for a date or timestamp column, e.g. %d/%m/%Y"
                              }
                            },
                            "additionalProperties": false
                          }
                        }
                      }
                    },
                    "additionalProperties": false
                  }
                },
                "additionalProperties": false
              }
            },
            "additionalProperties": false
          }
        },
        "additionalProperties": false
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "updated_at": {
        "type": "string",
        "format": "date-time"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > GetRecipeSettings 1`] = `
{
  "subject": "kalla.runs.settings.get.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "recipe_id"
    ],
    "properties": {
      "recipe_id": {
        "type": "string"
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "recipe_id",
      "four_eyes"
    ],
    "properties": {
      "recipe_id": {
        "type": "string"
      },
      "four_eyes": {
        "type": "boolean"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > GetRun 1`] = `
{
  "subject": "kalla.runs.get.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "run_id"
    ],
    "properties": {
      "run_id": {
        "type": "string"
      }
    }
  },
  "response": {
    "type": "object",
    "required": [
      "run_id",
      "recipe_id",
      "status",
      "created_at",
      "updated_at"
    ],
    "properties": {
      "run_id": {
        "type": "string"
      },
      "recipe_id": {
        "type": "string"
      },
      "status": {
        "enum": [
          "submitted",
          "staging",
          "matching",
          "writing_results",
          "completed",
          "failed",
          "cancelled"
        ]
      },
      "stage": {
        "enum": [
          "staging",
          "matching",
          "writing_results"
        ]
      },
      "source": {
        "type": "string"
      },
      "progress": {
        "type": "number",
        "minimum": 0,
        "maximum": 1
      },
      "matched_count": {
        "type": "integer",
        "minimum": 0
      },
      "matched_left": {
        "type": "integer",
        "minimum": 0
      },
      "matched_right": {
        "type": "integer",
        "minimum": 0
      },
      "unmatched_left_count": {
        "type": "integer",
        "minimum": 0
      },
      "unmatched_right_count": {
        "type": "integer",
        "minimum": 0
      },
      "total_left": {
        "type": "integer",
        "minimum": 0
      },
      "total_right": {
        "type": "integer",
        "minimum": 0
      },
      "decisions": {
        "type": "object",
        "required": [
          "sql_matched_left",
          "sql_matched_right",
          "decision_matched_left",
          "decision_matched_right",
          "written_off_left",
          "written_off_right",
          "unmatched_by_decision",
          "decisions_not_applied"
        ],
        "properties": {
          "sql_matched_left": {
            "type": "integer",
            "minimum": 0
          },
          "sql_matched_right": {
            "type": "integer",
            "minimum": 0
          },
          "decision_matched_left": {
            "type": "integer",
            "minimum": 0
          },
          "decision_matched_right": {
            "type": "integer",
            "minimum": 0
          },
          "written_off_left": {
            "type": "integer",
            "minimum": 0
          },
          "written_off_right": {
            "type": "integer",
            "minimum": 0
          },
          "unmatched_by_decision": {
            "type": "integer",
            "minimum": 0
          },
          "decisions_not_applied": {
            "type": "integer",
            "minimum": 0
          }
        },
        "additionalProperties": false
      },
      "explain": {
        "type": "object",
        "required": [
          "available",
          "conditions",
          "skipped",
          "explained_left",
          "explained_right"
        ],
        "properties": {
          "available": {
            "type": "boolean"
          },
          "reason": {
            "type": "string"
          },
          "conditions": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "skipped": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "condition",
                "reason"
              ],
              "properties": {
                "condition": {
                  "type": "string"
                },
                "reason": {
                  "type": "string"
                }
              },
              "additionalProperties": false
            }
          },
          "explained_left": {
            "type": "integer",
            "minimum": 0
          },
          "explained_right": {
            "type": "integer",
            "minimum": 0
          }
        },
        "additionalProperties": false
      },
      "error": {
        "type": "object",
        "required": [
          "code",
          "message",
          "stage"
        ],
        "properties": {
          "code": {
            "type": "string"
          },
          "message": {
            "type": "string"
          },
          "stage": {
            "enum": [
              "validating",
              "staging",
              "matching",
              "writing_results",
              "dispatch"
            ]
          }
        },
        "additionalProperties": false
      },
      "outputs": {
        "type": "object",
        "required": [
          "matched",
          "unmatched_left",
          "unmatched_right",
          "summary"
        ],
        "properties": {
          "matched": {
            "type": "string"
          },
          "unmatched_left": {
            "type": "string"
          },
          "unmatched_right": {
            "type": "string"
          },
          "summary": {
            "type": "string"
          },
          "decided_left": {
            "type": "string"
          },
          "decided_right": {
            "type": "string"
          },
          "explain_left": {
            "type": "string"
          },
          "explain_right": {
            "type": "string"
          }
        },
        "additionalProperties": false
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "started_at": {
        "type": "string",
        "format": "date-time"
      },
      "finished_at": {
        "type": "string",
        "format": "date-time"
      },
      "updated_at": {
        "type": "string",
        "format": "date-time"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > GetSource 1`] = `
{
  "subject": "kalla.sources.get.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "alias"
    ],
    "properties": {
      "alias": {
        "type": "string"
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "alias",
      "type",
      "uri",
      "columns",
      "created_at",
      "updated_at"
    ],
    "properties": {
      "alias": {
        "type": "string",
        "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
        "description": "A plain SQL identifier"
      },
      "type": {
        "enum": [
          "postgres",
          "bigquery",
          "elasticsearch",
          "file"
        ]
      },
      "uri": {
        "type": "string",
        "description": "The URI with any password replaced by ***"
      },
      "columns": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "name",
            "type"
          ],
          "properties": {
            "name": {
              "type": "string"
            },
            "type": {
              "type": "string"
            }
          },
          "additionalProperties": false
        }
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "updated_at": {
        "type": "string",
        "format": "date-time"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > GetUpload 1`] = `
{
  "subject": "kalla.sources.uploads.get.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "upload_id"
    ],
    "properties": {
      "upload_id": {
        "type": "string"
      }
    }
  },
  "response": {
    "type": "object",
    "required": [
      "upload_id",
      "filename",
      "format",
      "columns",
      "size_bytes",
      "key",
      "created_at",
      "expires_at"
    ],
    "properties": {
      "upload_id": {
        "type": "string"
      },
      "filename": {
        "type": "string"
      },
      "format": {
        "enum": [
          "csv",
          "parquet",
          "json",
          "xlsx"
        ]
      },
      "columns": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "name",
            "type"
          ],
          "properties": {
            "name": {
              "type": "string"
            },
            "type": {
              "type": "string"
            }
          },
          "additionalProperties": false
        }
      },
      "size_bytes": {
        "type": "integer",
        "minimum": 0
      },
      "key": {
        "type": "string",
        "description": "Object storage key of the file"
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "expires_at": {
        "type": "string",
        "format": "date-time"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > ListDecisions 1`] = `
{
  "subject": "kalla.runs.decisions.list.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "recipe_id",
      "limit",
      "offset"
    ],
    "properties": {
      "recipe_id": {
        "type": "string"
      },
      "status": {
        "enum": [
          "pending",
          "effective",
          "rejected",
          "revoked"
        ]
      },
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 500,
        "default": 100
      },
      "offset": {
        "type": "integer",
        "minimum": 0,
        "default": 0
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "decisions"
    ],
    "properties": {
      "decisions": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "decision_id",
            "recipe_id",
            "kind",
            "left",
            "right",
            "reason",
            "status",
            "created_by",
            "created_at"
          ],
          "properties": {
            "decision_id": {
              "type": "string"
            },
            "recipe_id": {
              "type": "string"
            },
            "kind": {
              "enum": [
                "manual_match",
                "unmatch"
              ]
            },
            "left": {
              "type": "array",
              "items": {
                "type": "array",
                "items": {
                  "type": "string",
                  "maxLength": 1000
                },
                "minItems": 1,
                "maxItems": 16
              },
              "minItems": 1,
              "maxItems": 1000
            },
            "right": {
              "type": "array",
              "items": {
                "type": "array",
                "items": {
                  "type": "string",
                  "maxLength": 1000
                },
                "minItems": 1,
                "maxItems": 16
              },
              "minItems": 1,
              "maxItems": 1000
            },
            "reason": {
              "type": "string"
            },
            "status": {
              "enum": [
                "pending",
                "effective",
                "rejected",
                "revoked"
              ]
            },
            "run_id": {
              "type": "string"
            },
            "created_by": {
              "type": "object",
              "required": [
                "name",
                "id"
              ],
              "properties": {
                "name": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 200
                },
                "id": {
                  "anyOf": [
                    {
                      "type": "string"
                    },
                    {
                      "type": "null"
                    }
                  ]
                }
              },
              "additionalProperties": false
            },
            "created_at": {
              "type": "string",
              "format": "date-time"
            },
            "reviewed_by": {
              "type": "object",
              "required": [
                "name",
                "id"
              ],
              "properties": {
                "name": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 200
                },
                "id": {
                  "anyOf": [
                    {
                      "type": "string"
                    },
                    {
                      "type": "null"
                    }
                  ]
                }
              },
              "additionalProperties": false
            },
            "reviewed_at": {
              "type": "string",
              "format": "date-time"
            }
          },
          "additionalProperties": false
        }
      }
    }
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > ListExceptionKeys 1`] = `
{
  "subject": "kalla.runs.exceptions.keys.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "recipe_id",
      "side",
      "limit"
    ],
    "properties": {
      "recipe_id": {
        "type": "string"
      },
      "side": {
        "enum": [
          "left",
          "right"
        ]
      },
      "state": {
        "enum": [
          "open",
          "investigating",
          "resolved"
        ]
      },
      "not_state": {
        "enum": [
          "open",
          "investigating",
          "resolved"
        ]
      },
      "assignee": {
        "type": "string",
        "maxLength": 200
      },
      "after": {
        "type": "array",
        "items": {
          "type": "string",
          "maxLength": 1000
        },
        "minItems": 1,
        "maxItems": 16
      },
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 10000,
        "default": 1000
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "keys",
      "more"
    ],
    "properties": {
      "keys": {
        "type": "array",
        "items": {
          "type": "array",
          "items": {
            "type": "string",
            "maxLength": 1000
          },
          "minItems": 1,
          "maxItems": 16
        }
      },
      "more": {
        "type": "boolean"
      }
    }
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > ListExceptions 1`] = `
{
  "subject": "kalla.runs.exceptions.list.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "recipe_id",
      "limit",
      "offset"
    ],
    "properties": {
      "recipe_id": {
        "type": "string"
      },
      "side": {
        "enum": [
          "left",
          "right"
        ]
      },
      "state": {
        "enum": [
          "open",
          "investigating",
          "resolved"
        ]
      },
      "assignee": {
        "type": "string"
      },
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 500,
        "default": 100
      },
      "offset": {
        "type": "integer",
        "minimum": 0,
        "default": 0
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "exceptions"
    ],
    "properties": {
      "exceptions": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "recipe_id",
            "side",
            "key",
            "state",
            "comments"
          ],
          "properties": {
            "recipe_id": {
              "type": "string"
            },
            "side": {
              "enum": [
                "left",
                "right"
              ]
            },
            "key": {
              "type": "array",
              "items": {
                "type": "string",
                "maxLength": 1000
              },
              "minItems": 1,
              "maxItems": 16
            },
            "state": {
              "enum": [
                "open",
                "investigating",
                "resolved"
              ]
            },
            "resolution": {
              "enum": [
                "matched_manually",
                "written_off",
                "timing",
                "data_corrected"
              ]
            },
            "write_off_status": {
              "enum": [
                "pending",
                "effective",
                "rejected"
              ]
            },
            "assignee": {
              "type": "string"
            },
            "due_date": {
              "type": "string",
              "format": "date"
            },
            "comments": {
              "type": "array",
              "items": {
                "type": "object",
                "required": [
                  "author",
                  "body",
                  "at"
                ],
                "properties": {
                  "author": {
                    "type": "object",
                    "required": [
                      "name",
                      "id"
                    ],
                    "properties": {
                      "name": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 200
                      },
                      "id": {
                        "anyOf": [
                          {
                            "type": "string"
                          },
                          {
                            "type": "null"
                          }
                        ]
                      }
                    },
                    "additionalProperties": false
                  },
                  "body": {
                    "type": "string"
                  },
                  "at": {
                    "type": "string",
                    "format": "date-time"
                  }
                },
                "additionalProperties": false
              }
            },
            "updated_by": {
              "type": "object",
              "required": [
                "name",
                "id"
              ],
              "properties": {
                "name": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 200
                },
                "id": {
                  "anyOf": [
                    {
                      "type": "string"
                    },
                    {
                      "type": "null"
                    }
                  ]
                }
              },
              "additionalProperties": false
            },
            "updated_at": {
              "type": "string",
              "format": "date-time"
            },
            "first_seen_at": {
              "type": "string",
              "format": "date-time"
            },
            "first_seen_run_id": {
              "type": "string"
            },
            "runs_unmatched": {
              "type": "integer",
              "minimum": 0
            }
          },
          "additionalProperties": false
        }
      }
    }
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > ListRecipes 1`] = `
{
  "subject": "kalla.recipes.list.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "properties": {}
  },
  "response": {
    "type": "object",
    "required": [
      "recipes"
    ],
    "properties": {
      "recipes": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "recipe",
            "created_at",
            "updated_at"
          ],
          "properties": {
            "recipe": {
              "type": "object",
              "required": [
                "recipe_id",
                "name",
                "match_sql",
                "sources"
              ],
              "properties": {
                "recipe_id": {
                  "type": "string",
                  "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
                },
                "name": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 200
                },
                "description": {
                  "type": "string"
                },
                "match_sql": {
                  "type": "string"
                },
                "match_description": {
                  "type": "string"
                },
                "sources": {
                  "type": "object",
                  "required": [
                    "left",
                    "right"
                  ],
                  "properties": {
                    "left": {
                      "type": "object",
                      "required": [
                        "alias",
                        "type",
                        "primary_key"
                      ],
                      "properties": {
                        "alias": {
                          "type": "string",
                          "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
                          "description": "A plain SQL identifier"
                        },
                        "type": {
                          "enum": [
                            "postgres",
                            "bigquery",
                            "elasticsearch",
                            "file"
                          ]
                        },
                        "uri": {
                          "type": "string",
                          "minLength": 1
                        },
                        "schema": {
                          "type": "array",
                          "items": {
                            "type": "string",
                            "minLength": 1
                          }
                        },
                        "primary_key": {
                          "type": "array",
                          "items": {
                            "type": "string",
                            "minLength": 1
                          }
                        },
                        "options": {
                          "type": "object",
                          "properties": {
                            "file": {
                              "type": "object",
                              "properties": {
                                "delimiter": {
                                  "type": "string",
                                  "minLength": 1,
                                  "maxLength": 1,
                                  "description": "The field delimiter of a CSV file"
                                },
                                "encoding": {
                                  "enum": [
                                    "utf-8",
                                    "utf-16le",
                                    "utf-16be",
                                    "windows-1252",
                                    "iso-8859-1"
                                  ]
                                },
                                "header_row": {
                                  "type": "integer",
                                  "minimum": 1,
                                  "maximum": 1000,
                                  "description": "The line (or spreadsheet row) that holds the column names; the records follow it"
                                },
                                "sheet": {
                                  "type": "string",
                                  "minLength": 1,
                                  "maxLength": 31,
                                  "description": "The worksheet of an Excel workbook (default: the first)"
                                }
                              },
                              "additionalProperties": false
                            },
                            "columns": {
                              "type": "object",
                              "patternProperties": {
                                "^.*$": {
                                  "type": "object",
                                  "properties": {
                                    "type": {
                                      "enum": [
                                        "text",
                                        "integer",
                                        "decimal",
                                        "date",
                                        "timestamp",
                                        "boolean"
                                      ]
                                    },
                                    "decimal_separator": {
                                      "enum": [
                                        ".",
                                        ","
                                      ],
                                      "description": "The decimal mark of a number column"
                                    },
                                    "thousands_separator": {
                                      "enum": [
                                        ",",
                                        ".",
                                        " ",
                                        "'",
                                        " ",
                                        " ",
                                        ""
                                      ],
                                      "description": "The digit-group separator of a number column (\\"\\" for none)"
                                    },
                                    "date_format": {
                                      "type": "string",
                                      "minLength": 1,
                                      "maxLength": 64,
                                      "description": "A strptime format for a date or timestamp column, e.g. %d/%m/%Y"
                                    }
                                  },
                                  "additionalProperties": false
                                }
                              }
                            }
                          },
                          "additionalProperties": false
                        }
                      },
                      "additionalProperties": false
                    },
                    "right": {
                      "type": "object",
                      "required": [
                        "alias",
                        "type",
                        "primary_key"
                      ],
                      "properties": {
                        "alias": {
                          "type": "string",
                          "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
                          "description": "A plain SQL identifier"
                        },
                        "type": {
                          "enum": [
                            "postgres",
                            "bigquery",
                            "elasticsearch",
                            "file"
                          ]
                        },
                        "uri": {
                          "type": "string",
                          "minLength": 1
                        },
                        "schema": {
                          "type": "array",
                          "items": {
                            "type": "string",
                            "minLength": 1
                          }
                        },
                        "primary_key": {
                          "type": "array",
                          "items": {
                            "type": "string",
                            "minLength": 1
                          }
                        },
                        "options": {
                          "type": "object",
                          "properties": {
                            "file": {
                              "type": "object",
                              "properties": {
                                "delimiter": {
                                  "type": "string",
                                  "minLength": 1,
                                  "maxLength": 1,
                                  "description": "The field delimiter of a CSV file"
                                },
                                "encoding": {
                                  "enum": [
                                    "utf-8",
                                    "utf-16le",
                                    "utf-16be",
                                    "windows-1252",
                                    "iso-8859-1"
                                  ]
                                },
                                "header_row": {
                                  "type": "integer",
                                  "minimum": 1,
                                  "maximum": 1000,
                                  "description": "The line (or spreadsheet row) that holds the column names; the records follow it"
                                },
                                "sheet": {
                                  "type": "string",
                                  "minLength": 1,
                                  "maxLength": 31,
                                  "description": "The worksheet of an Excel workbook (default: the first)"
                                }
                              },
                              "additionalProperties": false
                            },
                            "columns": {
                              "type": "object",
                              "patternProperties": {
                                "^.*$": {
                                  "type": "object",
                                  "properties": {
                                    "type": {
                                      "enum": [
                                        "text",
                                        "integer",
                                        "decimal",
                                        "date",
                                        "timestamp",
                                        "boolean"
                                      ]
                                    },
                                    "decimal_separator": {
                                      "enum": [
                                        ".",
                                        ","
                                      ],
                                      "description": "The decimal mark of a number column"
                                    },
                                    "thousands_separator": {
                                      "enum": [
                                        ",",
                                        ".",
                                        " ",
                                        "'",
                                        " ",
                                        " ",
                                        ""
                                      ],
                                      "description": "The digit-group separator of a number column (\\"\\" for none)"
                                    },
                                    "date_format": {
                                      "type": "string",
                                      "minLength": 1,
                                      "maxLength": 64,
                                      "description": "A strptime format for a date or timestamp column, e.g. %d/%m/%Y"
                                    }
                                  },
                                  "additionalProperties": false
                                }
                              }
                            }
                          },
                          "additionalProperties": false
                        }
                      },
                      "additionalProperties": false
                    }
                  },
                  "additionalProperties": false
                }
              },
              "additionalProperties": false
            },
            "created_at": {
              "type": "string",
              "format": "date-time"
            },
            "updated_at": {
              "type": "string",
              "format": "date-time"
            }
          },
          "additionalProperties": false
        }
      }
    }
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > ListRuns 1`] = `
{
  "subject": "kalla.runs.list.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "limit",
      "offset"
    ],
    "properties": {
      "recipe_id": {
        "type": "string"
      },
      "status": {
        "enum": [
          "submitted",
          "staging",
          "matching",
          "writing_results",
          "completed",
          "failed",
          "cancelled"
        ]
      },
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 500,
        "default": 50
      },
      "offset": {
        "type": "integer",
        "minimum": 0,
        "default": 0
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "runs"
    ],
    "properties": {
      "runs": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "run_id",
            "recipe_id",
            "status",
            "created_at",
            "updated_at"
          ],
          "properties": {
            "run_id": {
              "type": "string"
            },
            "recipe_id": {
              "type": "string"
            },
            "status": {
              "enum": [
                "submitted",
                "staging",
                "matching",
                "writing_results",
                "completed",
                "failed",
                "cancelled"
              ]
            },
            "stage": {
              "enum": [
                "staging",
                "matching",
                "writing_results"
              ]
            },
            "source": {
              "type": "string"
            },
            "progress": {
              "type": "number",
              "minimum": 0,
              "maximum": 1
            },
            "matched_count": {
              "type": "integer",
              "minimum": 0
            },
            "matched_left": {
              "type": "integer",
              "minimum": 0
            },
            "matched_right": {
              "type": "integer",
              "minimum": 0
            },
            "unmatched_left_count": {
              "type": "integer",
              "minimum": 0
            },
            "unmatched_right_count": {
              "type": "integer",
              "minimum": 0
            },
            "total_left": {
              "type": "integer",
              "minimum": 0
            },
            "total_right": {
              "type": "integer",
              "minimum": 0
            },
            "decisions": {
              "type": "object",
              "required": [
                "sql_matched_left",
                "sql_matched_right",
                "decision_matched_left",
                "decision_matched_right",
                "written_off_left",
                "written_off_right",
                "unmatched_by_decision",
                "decisions_not_applied"
              ],
              "properties": {
                "sql_matched_left": {
                  "type": "integer",
                  "minimum": 0
                },
                "sql_matched_right": {
                  "type": "integer",
                  "minimum": 0
                },
                "decision_matched_left": {
                  "type": "integer",
                  "minimum": 0
                },
                "decision_matched_right": {
                  "type": "integer",
                  "minimum": 0
                },
                "written_off_left": {
                  "type": "integer",
                  "minimum": 0
                },
                "written_off_right": {
                  "type": "integer",
                  "minimum": 0
                },
                "unmatched_by_decision": {
                  "type": "integer",
                  "minimum": 0
                },
                "decisions_not_applied": {
                  "type": "integer",
                  "minimum": 0
                }
              },
              "additionalProperties": false
            },
            "explain": {
              "type": "object",
              "required": [
                "available",
                "conditions",
                "skipped",
                "explained_left",
                "explained_right"
              ],
              "properties": {
                "available": {
                  "type": "boolean"
                },
                "reason": {
                  "type": "string"
                },
                "conditions": {
                  "type": "array",
                  "items": {
                    "type": "string"
                  }
                },
                "skipped": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "required": [
                      "condition",
                      "reason"
                    ],
                    "properties": {
                      "condition": {
                        "type": "string"
                      },
                      "reason": {
                        "type": "string"
                      }
                    },
                    "additionalProperties": false
                  }
                },
                "explained_left": {
                  "type": "integer",
                  "minimum": 0
                },
                "explained_right": {
                  "type": "integer",
                  "minimum": 0
                }
              },
              "additionalProperties": false
            },
            "error": {
              "type": "object",
              "required": [
                "code",
                "message",
                "stage"
              ],
              "properties": {
                "code": {
                  "type": "string"
                },
                "message": {
                  "type": "string"
                },
                "stage": {
                  "enum": [
                    "validating",
                    "staging",
                    "matching",
                    "writing_results",
                    "dispatch"
                  ]
                }
              },
              "additionalProperties": false
            },
            "outputs": {
              "type": "object",
              "required": [
                "matched",
                "unmatched_left",
                "unmatched_right",
                "summary"
              ],
              "properties": {
                "matched": {
                  "type": "string"
                },
                "unmatched_left": {
                  "type": "string"
                },
                "unmatched_right": {
                  "type": "string"
                },
                "summary": {
                  "type": "string"
                },
                "decided_left": {
                  "type": "string"
                },
                "decided_right": {
                  "type": "string"
                },
                "explain_left": {
                  "type": "string"
                },
                "explain_right": {
                  "type": "string"
                }
              },
              "additionalProperties": false
            },
            "created_at": {
              "type": "string",
              "format": "date-time"
            },
            "started_at": {
              "type": "string",
              "format": "date-time"
            },
            "finished_at": {
              "type": "string",
              "format": "date-time"
            },
            "updated_at": {
              "type": "string",
              "format": "date-time"
            }
          },
          "additionalProperties": false
        }
      }
    }
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > ListSources 1`] = `
{
  "subject": "kalla.sources.list.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "properties": {}
  },
  "response": {
    "type": "object",
    "required": [
      "sources"
    ],
    "properties": {
      "sources": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "alias",
            "type",
            "uri",
            "columns",
            "created_at",
            "updated_at"
          ],
          "properties": {
            "alias": {
              "type": "string",
              "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
              "description": "A plain SQL identifier"
            },
            "type": {
              "enum": [
                "postgres",
                "bigquery",
                "elasticsearch",
                "file"
              ]
            },
            "uri": {
              "type": "string",
              "description": "The URI with any password replaced by ***"
            },
            "columns": {
              "type": "array",
              "items": {
                "type": "object",
                "required": [
                  "name",
                  "type"
                ],
                "properties": {
                  "name": {
                    "type": "string"
                  },
                  "type": {
                    "type": "string"
                  }
                },
                "additionalProperties": false
              }
            },
            "created_at": {
              "type": "string",
              "format": "date-time"
            },
            "updated_at": {
              "type": "string",
              "format": "date-time"
            }
          },
          "additionalProperties": false
        }
      }
    }
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > ListUploads 1`] = `
{
  "subject": "kalla.sources.uploads.list.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "uploaded_by",
      "limit"
    ],
    "properties": {
      "uploaded_by": {
        "type": "string",
        "minLength": 1,
        "maxLength": 300
      },
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 20
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "uploads"
    ],
    "properties": {
      "uploads": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "upload_id",
            "filename",
            "format",
            "columns",
            "size_bytes",
            "key",
            "created_at",
            "expires_at"
          ],
          "properties": {
            "upload_id": {
              "type": "string"
            },
            "filename": {
              "type": "string"
            },
            "format": {
              "enum": [
                "csv",
                "parquet",
                "json",
                "xlsx"
              ]
            },
            "columns": {
              "type": "array",
              "items": {
                "type": "object",
                "required": [
                  "name",
                  "type"
                ],
                "properties": {
                  "name": {
                    "type": "string"
                  },
                  "type": {
                    "type": "string"
                  }
                },
                "additionalProperties": false
              }
            },
            "size_bytes": {
              "type": "integer",
              "minimum": 0
            },
            "key": {
              "type": "string",
              "description": "Object storage key of the file"
            },
            "created_at": {
              "type": "string",
              "format": "date-time"
            },
            "expires_at": {
              "type": "string",
              "format": "date-time"
            }
          },
          "additionalProperties": false
        }
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > MatchJobs 1`] = `
{
  "subject": "kalla.jobs.match.v1",
  "kind": "topic",
  "message": {
    "type": "object",
    "required": [
      "run_id",
      "match_sql",
      "sources",
      "primary_keys",
      "output_path"
    ],
    "properties": {
      "run_id": {
        "type": "string",
        "minLength": 1,
        "maxLength": 128,
        "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$"
      },
      "match_sql": {
        "type": "string",
        "minLength": 1
      },
      "sources": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "alias",
            "side",
            "type",
            "uri"
          ],
          "properties": {
            "alias": {
              "type": "string",
              "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
              "description": "A plain SQL identifier"
            },
            "side": {
              "enum": [
                "left",
                "right"
              ]
            },
            "type": {
              "enum": [
                "postgres",
                "bigquery",
                "elasticsearch",
                "file"
              ]
            },
            "uri": {
              "type": "string",
              "minLength": 1,
              "description": "A storage key or path, a database URI without credentials, or source:<alias> for a registered source"
            },
            "format": {
              "enum": [
                "csv",
                "parquet",
                "json",
                "xlsx"
              ]
            },
            "schema": {
              "type": "array",
              "items": {
                "type": "string",
                "minLength": 1
              }
            },
            "sample_rows": {
              "type": "integer",
              "minimum": 1,
              "description": "Read only the first N records (previews)"
            },
            "options": {
              "type": "object",
              "properties": {
                "file": {
                  "type": "object",
                  "properties": {
                    "delimiter": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 1,
                      "description": "The field delimiter of a CSV file"
                    },
                    "encoding": {
                      "enum": [
                        "utf-8",
                        "utf-16le",
                        "utf-16be",
                        "windows-1252",
                        "iso-8859-1"
                      ]
                    },
                    "header_row": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 1000,
                      "description": "The line (or spreadsheet row) that holds the column names; the records follow it"
                    },
                    "sheet": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 31,
                      "description": "The worksheet of an Excel workbook (default: the first)"
                    }
                  },
                  "additionalProperties": false
                },
                "columns": {
                  "type": "object",
                  "patternProperties": {
                    "^.*$": {
                      "type": "object",
                      "properties": {
                        "type": {
                          "enum": [
                            "text",
                            "integer",
                            "decimal",
                            "date",
                            "timestamp",
                            "boolean"
                          ]
                        },
                        "decimal_separator": {
                          "enum": [
                            ".",
                            ","
                          ],
                          "description": "The decimal mark of a number column"
                        },
                        "thousands_separator": {
                          "enum": [
                            ",",
                            ".",
                            " ",
                            "'",
                            " ",
                            " ",
                            ""
                          ],
                          "description": "The digit-group separator of a number column (\\"\\" for none)"
                        },
                        "date_format": {
                          "type": "string",
                          "minLength": 1,
                          "maxLength": 64,
                          "description": "A strptime format for a date or timestamp column, e.g. %d/%m/%Y"
                        }
                      },
                      "additionalProperties": false
                    }
                  }
                }
              },
              "additionalProperties": false
            }
          },
          "additionalProperties": false
        },
        "minItems": 2,
        "maxItems": 2
      },
      "primary_keys": {
        "type": "object",
        "patternProperties": {
          "^.*$": {
            "type": "array",
            "items": {
              "type": "string",
              "minLength": 1
            },
            "minItems": 1
          }
        }
      },
      "output_path": {
        "type": "string",
        "minLength": 1
      },
      "decisions": {
        "type": "object",
        "required": [
          "manual_matches",
          "unmatches",
          "write_offs"
        ],
        "properties": {
          "manual_matches": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "decision_id",
                "left",
                "right"
              ],
              "properties": {
                "decision_id": {
                  "type": "string"
                },
                "left": {
                  "type": "array",
                  "items": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "maxLength": 1000
                    },
                    "minItems": 1,
                    "maxItems": 16
                  },
                  "minItems": 1
                },
                "right": {
                  "type": "array",
                  "items": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "maxLength": 1000
                    },
                    "minItems": 1,
                    "maxItems": 16
                  },
                  "minItems": 1
                }
              },
              "additionalProperties": false
            }
          },
          "unmatches": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "decision_id",
                "left",
                "right"
              ],
              "properties": {
                "decision_id": {
                  "type": "string"
                },
                "left": {
                  "type": "array",
                  "items": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "maxLength": 1000
                    },
                    "minItems": 1,
                    "maxItems": 16
                  },
                  "minItems": 1
                },
                "right": {
                  "type": "array",
                  "items": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "maxLength": 1000
                    },
                    "minItems": 1,
                    "maxItems": 16
                  },
                  "minItems": 1
                }
              },
              "additionalProperties": false
            }
          },
          "write_offs": {
            "type": "object",
            "required": [
              "left",
              "right"
            ],
            "properties": {
              "left": {
                "type": "array",
                "items": {
                  "type": "array",
                  "items": {
                    "type": "string",
                    "maxLength": 1000
                  },
                  "minItems": 1,
                  "maxItems": 16
                }
              },
              "right": {
                "type": "array",
                "items": {
                  "type": "array",
                  "items": {
                    "type": "string",
                    "maxLength": 1000
                  },
                  "minItems": 1,
                  "maxItems": 16
                }
              }
            },
            "additionalProperties": false
          }
        },
        "additionalProperties": false
      },
      "decisions_file": {
        "type": "object",
        "required": [
          "key",
          "lines",
          "sha256"
        ],
        "properties": {
          "key": {
            "type": "string",
            "minLength": 1,
            "description": "The storage key of the decisions file"
          },
          "lines": {
            "type": "integer",
            "minimum": 1,
            "description": "How many decided records (lines) the file holds"
          },
          "sha256": {
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "description": "The SHA-256 of the file, lowercase hex"
          }
        },
        "additionalProperties": false
      },
      "explain": {
        "type": "boolean"
      }
    },
    "additionalProperties": false
  },
  "stream": "KALLA_JOBS",
  "suffixed": false
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > PreviewRecipe 1`] = `
{
  "subject": "kalla.recipes.preview.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "recipe",
      "sample_rows",
      "row_limit"
    ],
    "properties": {
      "recipe": {},
      "files": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "alias",
            "upload_id"
          ],
          "properties": {
            "alias": {
              "type": "string"
            },
            "upload_id": {
              "type": "string"
            }
          },
          "additionalProperties": false
        }
      },
      "sample_rows": {
        "type": "integer",
        "minimum": 1,
        "maximum": 100000,
        "default": 1000
      },
      "row_limit": {
        "type": "integer",
        "minimum": 0,
        "maximum": 500,
        "default": 20
      }
    }
  },
  "response": {
    "type": "object",
    "required": [
      "matched_count",
      "unmatched_left_count",
      "unmatched_right_count",
      "matched",
      "unmatched_left",
      "unmatched_right"
    ],
    "properties": {
      "matched_count": {
        "type": "integer",
        "minimum": 0
      },
      "unmatched_left_count": {
        "type": "integer",
        "minimum": 0
      },
      "unmatched_right_count": {
        "type": "integer",
        "minimum": 0
      },
      "matched": {
        "type": "array",
        "items": {
          "type": "object",
          "patternProperties": {
            "^.*$": {}
          }
        }
      },
      "unmatched_left": {
        "type": "array",
        "items": {
          "type": "object",
          "patternProperties": {
            "^.*$": {}
          }
        }
      },
      "unmatched_right": {
        "type": "array",
        "items": {
          "type": "object",
          "patternProperties": {
            "^.*$": {}
          }
        }
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > PreviewSource 1`] = `
{
  "subject": "kalla.sources.preview.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "alias",
      "limit"
    ],
    "properties": {
      "alias": {
        "type": "string"
      },
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000,
        "default": 50
      },
      "filters": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "column",
            "op",
            "value"
          ],
          "properties": {
            "column": {
              "type": "string"
            },
            "op": {
              "enum": [
                "=",
                "!=",
                "<",
                "<=",
                ">",
                ">=",
                "contains"
              ]
            },
            "value": {
              "anyOf": [
                {
                  "type": "string"
                },
                {
                  "type": "number"
                },
                {
                  "type": "boolean"
                }
              ]
            }
          },
          "additionalProperties": false
        },
        "maxItems": 10
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "columns",
      "rows"
    ],
    "properties": {
      "columns": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "name",
            "type"
          ],
          "properties": {
            "name": {
              "type": "string"
            },
            "type": {
              "type": "string"
            }
          },
          "additionalProperties": false
        }
      },
      "rows": {
        "type": "array",
        "items": {
          "type": "object",
          "patternProperties": {
            "^.*$": {}
          }
        }
      }
    }
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > RecipeAssistant 1`] = `
{
  "subject": "kalla.recipes.assistant.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "properties": {}
  },
  "response": {
    "type": "object",
    "required": [
      "drafting",
      "sample_values_shared"
    ],
    "properties": {
      "drafting": {
        "type": "boolean"
      },
      "sample_values_shared": {
        "type": "boolean"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > RecordDecision 1`] = `
{
  "subject": "kalla.runs.decisions.record.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "recipe_id",
      "kind",
      "left",
      "right",
      "reason",
      "actor"
    ],
    "properties": {
      "recipe_id": {
        "type": "string"
      },
      "kind": {
        "enum": [
          "manual_match",
          "unmatch"
        ]
      },
      "left": {
        "type": "array",
        "items": {
          "type": "array",
          "items": {
            "type": "string",
            "maxLength": 1000
          },
          "minItems": 1,
          "maxItems": 16
        },
        "minItems": 1,
        "maxItems": 1000
      },
      "right": {
        "type": "array",
        "items": {
          "type": "array",
          "items": {
            "type": "string",
            "maxLength": 1000
          },
          "minItems": 1,
          "maxItems": 16
        },
        "minItems": 1,
        "maxItems": 1000
      },
      "reason": {
        "type": "string",
        "minLength": 1,
        "maxLength": 2000
      },
      "run_id": {
        "type": "string"
      },
      "actor": {
        "type": "object",
        "required": [
          "name",
          "id"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "id": {
            "anyOf": [
              {
                "type": "string"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "additionalProperties": false
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "decision_id",
      "recipe_id",
      "kind",
      "left",
      "right",
      "reason",
      "status",
      "created_by",
      "created_at"
    ],
    "properties": {
      "decision_id": {
        "type": "string"
      },
      "recipe_id": {
        "type": "string"
      },
      "kind": {
        "enum": [
          "manual_match",
          "unmatch"
        ]
      },
      "left": {
        "type": "array",
        "items": {
          "type": "array",
          "items": {
            "type": "string",
            "maxLength": 1000
          },
          "minItems": 1,
          "maxItems": 16
        },
        "minItems": 1,
        "maxItems": 1000
      },
      "right": {
        "type": "array",
        "items": {
          "type": "array",
          "items": {
            "type": "string",
            "maxLength": 1000
          },
          "minItems": 1,
          "maxItems": 16
        },
        "minItems": 1,
        "maxItems": 1000
      },
      "reason": {
        "type": "string"
      },
      "status": {
        "enum": [
          "pending",
          "effective",
          "rejected",
          "revoked"
        ]
      },
      "run_id": {
        "type": "string"
      },
      "created_by": {
        "type": "object",
        "required": [
          "name",
          "id"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "id": {
            "anyOf": [
              {
                "type": "string"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "additionalProperties": false
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "reviewed_by": {
        "type": "object",
        "required": [
          "name",
          "id"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "id": {
            "anyOf": [
              {
                "type": "string"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "additionalProperties": false
      },
      "reviewed_at": {
        "type": "string",
        "format": "date-time"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > RegisterSource 1`] = `
{
  "subject": "kalla.sources.register.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "alias",
      "type",
      "uri"
    ],
    "properties": {
      "alias": {
        "type": "string",
        "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
        "description": "A plain SQL identifier"
      },
      "type": {
        "enum": [
          "postgres",
          "bigquery",
          "elasticsearch",
          "file"
        ]
      },
      "uri": {
        "type": "string",
        "minLength": 1
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "alias",
      "type",
      "uri",
      "columns",
      "created_at",
      "updated_at"
    ],
    "properties": {
      "alias": {
        "type": "string",
        "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
        "description": "A plain SQL identifier"
      },
      "type": {
        "enum": [
          "postgres",
          "bigquery",
          "elasticsearch",
          "file"
        ]
      },
      "uri": {
        "type": "string",
        "description": "The URI with any password replaced by ***"
      },
      "columns": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "name",
            "type"
          ],
          "properties": {
            "name": {
              "type": "string"
            },
            "type": {
              "type": "string"
            }
          },
          "additionalProperties": false
        }
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "updated_at": {
        "type": "string",
        "format": "date-time"
      },
      "problem": {
        "type": "object",
        "required": [
          "code",
          "message"
        ],
        "properties": {
          "code": {
            "type": "string"
          },
          "message": {
            "type": "string"
          }
        },
        "additionalProperties": false
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > RemoveSource 1`] = `
{
  "subject": "kalla.sources.remove.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "alias"
    ],
    "properties": {
      "alias": {
        "type": "string"
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "removed"
    ],
    "properties": {
      "removed": {
        "type": "boolean"
      }
    }
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > ResolveSource 1`] = `
{
  "subject": "kalla.sources.resolve.v2",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "alias",
      "nonce",
      "at",
      "proof"
    ],
    "properties": {
      "alias": {
        "type": "string",
        "minLength": 1,
        "maxLength": 63
      },
      "nonce": {
        "type": "string",
        "minLength": 16,
        "maxLength": 64,
        "pattern": "^[A-Za-z0-9_-]+$"
      },
      "at": {
        "type": "string",
        "format": "date-time"
      },
      "proof": {
        "type": "string",
        "minLength": 16,
        "maxLength": 128,
        "pattern": "^[A-Za-z0-9_-]+$"
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "alias",
      "type",
      "uri_sealed"
    ],
    "properties": {
      "alias": {
        "type": "string"
      },
      "type": {
        "enum": [
          "postgres",
          "bigquery",
          "elasticsearch",
          "file"
        ]
      },
      "uri_sealed": {
        "type": "string",
        "description": "The URI, AES-256-GCM sealed to the request with KALLA_RESOLVE_KEY"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > ReviewDecision 1`] = `
{
  "subject": "kalla.runs.decisions.review.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "decision_id",
      "approve",
      "actor"
    ],
    "properties": {
      "decision_id": {
        "type": "string"
      },
      "approve": {
        "type": "boolean"
      },
      "actor": {
        "type": "object",
        "required": [
          "name",
          "id"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "id": {
            "anyOf": [
              {
                "type": "string"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "additionalProperties": false
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "decision_id",
      "recipe_id",
      "kind",
      "left",
      "right",
      "reason",
      "status",
      "created_by",
      "created_at"
    ],
    "properties": {
      "decision_id": {
        "type": "string"
      },
      "recipe_id": {
        "type": "string"
      },
      "kind": {
        "enum": [
          "manual_match",
          "unmatch"
        ]
      },
      "left": {
        "type": "array",
        "items": {
          "type": "array",
          "items": {
            "type": "string",
            "maxLength": 1000
          },
          "minItems": 1,
          "maxItems": 16
        },
        "minItems": 1,
        "maxItems": 1000
      },
      "right": {
        "type": "array",
        "items": {
          "type": "array",
          "items": {
            "type": "string",
            "maxLength": 1000
          },
          "minItems": 1,
          "maxItems": 16
        },
        "minItems": 1,
        "maxItems": 1000
      },
      "reason": {
        "type": "string"
      },
      "status": {
        "enum": [
          "pending",
          "effective",
          "rejected",
          "revoked"
        ]
      },
      "run_id": {
        "type": "string"
      },
      "created_by": {
        "type": "object",
        "required": [
          "name",
          "id"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "id": {
            "anyOf": [
              {
                "type": "string"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "additionalProperties": false
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "reviewed_by": {
        "type": "object",
        "required": [
          "name",
          "id"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "id": {
            "anyOf": [
              {
                "type": "string"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "additionalProperties": false
      },
      "reviewed_at": {
        "type": "string",
        "format": "date-time"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > ReviewWriteOff 1`] = `
{
  "subject": "kalla.runs.exceptions.review-write-off.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "recipe_id",
      "record",
      "approve",
      "actor"
    ],
    "properties": {
      "recipe_id": {
        "type": "string"
      },
      "record": {
        "type": "object",
        "required": [
          "side",
          "key"
        ],
        "properties": {
          "side": {
            "enum": [
              "left",
              "right"
            ]
          },
          "key": {
            "type": "array",
            "items": {
              "type": "string",
              "maxLength": 1000
            },
            "minItems": 1,
            "maxItems": 16
          }
        },
        "additionalProperties": false
      },
      "approve": {
        "type": "boolean"
      },
      "actor": {
        "type": "object",
        "required": [
          "name",
          "id"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "id": {
            "anyOf": [
              {
                "type": "string"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "additionalProperties": false
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "recipe_id",
      "side",
      "key",
      "state",
      "comments"
    ],
    "properties": {
      "recipe_id": {
        "type": "string"
      },
      "side": {
        "enum": [
          "left",
          "right"
        ]
      },
      "key": {
        "type": "array",
        "items": {
          "type": "string",
          "maxLength": 1000
        },
        "minItems": 1,
        "maxItems": 16
      },
      "state": {
        "enum": [
          "open",
          "investigating",
          "resolved"
        ]
      },
      "resolution": {
        "enum": [
          "matched_manually",
          "written_off",
          "timing",
          "data_corrected"
        ]
      },
      "write_off_status": {
        "enum": [
          "pending",
          "effective",
          "rejected"
        ]
      },
      "assignee": {
        "type": "string"
      },
      "due_date": {
        "type": "string",
        "format": "date"
      },
      "comments": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "author",
            "body",
            "at"
          ],
          "properties": {
            "author": {
              "type": "object",
              "required": [
                "name",
                "id"
              ],
              "properties": {
                "name": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 200
                },
                "id": {
                  "anyOf": [
                    {
                      "type": "string"
                    },
                    {
                      "type": "null"
                    }
                  ]
                }
              },
              "additionalProperties": false
            },
            "body": {
              "type": "string"
            },
            "at": {
              "type": "string",
              "format": "date-time"
            }
          },
          "additionalProperties": false
        }
      },
      "updated_by": {
        "type": "object",
        "required": [
          "name",
          "id"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "id": {
            "anyOf": [
              {
                "type": "string"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "additionalProperties": false
      },
      "updated_at": {
        "type": "string",
        "format": "date-time"
      },
      "first_seen_at": {
        "type": "string",
        "format": "date-time"
      },
      "first_seen_run_id": {
        "type": "string"
      },
      "runs_unmatched": {
        "type": "integer",
        "minimum": 0
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > RevokeDecision 1`] = `
{
  "subject": "kalla.runs.decisions.revoke.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "decision_id",
      "reason",
      "actor"
    ],
    "properties": {
      "decision_id": {
        "type": "string"
      },
      "reason": {
        "type": "string",
        "minLength": 1,
        "maxLength": 2000
      },
      "actor": {
        "type": "object",
        "required": [
          "name",
          "id"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "id": {
            "anyOf": [
              {
                "type": "string"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "additionalProperties": false
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "decision_id",
      "recipe_id",
      "kind",
      "left",
      "right",
      "reason",
      "status",
      "created_by",
      "created_at"
    ],
    "properties": {
      "decision_id": {
        "type": "string"
      },
      "recipe_id": {
        "type": "string"
      },
      "kind": {
        "enum": [
          "manual_match",
          "unmatch"
        ]
      },
      "left": {
        "type": "array",
        "items": {
          "type": "array",
          "items": {
            "type": "string",
            "maxLength": 1000
          },
          "minItems": 1,
          "maxItems": 16
        },
        "minItems": 1,
        "maxItems": 1000
      },
      "right": {
        "type": "array",
        "items": {
          "type": "array",
          "items": {
            "type": "string",
            "maxLength": 1000
          },
          "minItems": 1,
          "maxItems": 16
        },
        "minItems": 1,
        "maxItems": 1000
      },
      "reason": {
        "type": "string"
      },
      "status": {
        "enum": [
          "pending",
          "effective",
          "rejected",
          "revoked"
        ]
      },
      "run_id": {
        "type": "string"
      },
      "created_by": {
        "type": "object",
        "required": [
          "name",
          "id"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "id": {
            "anyOf": [
              {
                "type": "string"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "additionalProperties": false
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "reviewed_by": {
        "type": "object",
        "required": [
          "name",
          "id"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "id": {
            "anyOf": [
              {
                "type": "string"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "additionalProperties": false
      },
      "reviewed_at": {
        "type": "string",
        "format": "date-time"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > RunEvents 1`] = `
{
  "subject": "kalla.runs.events.v1",
  "kind": "topic",
  "message": {
    "anyOf": [
      {
        "type": "object",
        "required": [
          "type",
          "run_id",
          "stage",
          "progress",
          "matched_count",
          "total_left",
          "total_right",
          "at"
        ],
        "properties": {
          "type": {
            "type": "string",
            "const": "progress"
          },
          "run_id": {
            "type": "string"
          },
          "stage": {
            "enum": [
              "staging",
              "matching",
              "writing_results"
            ]
          },
          "source": {
            "type": "string"
          },
          "progress": {
            "type": "number",
            "minimum": 0,
            "maximum": 1
          },
          "matched_count": {
            "type": "integer",
            "minimum": 0
          },
          "total_left": {
            "type": "integer",
            "minimum": 0
          },
          "total_right": {
            "type": "integer",
            "minimum": 0
          },
          "at": {
            "type": "string",
            "format": "date-time"
          }
        },
        "additionalProperties": false
      },
      {
        "type": "object",
        "required": [
          "type",
          "run_id",
          "matched_count",
          "matched_left",
          "matched_right",
          "unmatched_left_count",
          "unmatched_right_count",
          "total_left",
          "total_right",
          "outputs",
          "timings_ms",
          "at"
        ],
        "properties": {
          "type": {
            "type": "string",
            "const": "completed"
          },
          "run_id": {
            "type": "string"
          },
          "matched_count": {
            "type": "integer",
            "minimum": 0
          },
          "matched_left": {
            "type": "integer",
            "minimum": 0
          },
          "matched_right": {
            "type": "integer",
            "minimum": 0
          },
          "unmatched_left_count": {
            "type": "integer",
            "minimum": 0
          },
          "unmatched_right_count": {
            "type": "integer",
            "minimum": 0
          },
          "total_left": {
            "type": "integer",
            "minimum": 0
          },
          "total_right": {
            "type": "integer",
            "minimum": 0
          },
          "decisions": {
            "type": "object",
            "required": [
              "sql_matched_left",
              "sql_matched_right",
              "decision_matched_left",
              "decision_matched_right",
              "written_off_left",
              "written_off_right",
              "unmatched_by_decision",
              "decisions_not_applied"
            ],
            "properties": {
              "sql_matched_left": {
                "type": "integer",
                "minimum": 0
              },
              "sql_matched_right": {
                "type": "integer",
                "minimum": 0
              },
              "decision_matched_left": {
                "type": "integer",
                "minimum": 0
              },
              "decision_matched_right": {
                "type": "integer",
                "minimum": 0
              },
              "written_off_left": {
                "type": "integer",
                "minimum": 0
              },
              "written_off_right": {
                "type": "integer",
                "minimum": 0
              },
              "unmatched_by_decision": {
                "type": "integer",
                "minimum": 0
              },
              "decisions_not_applied": {
                "type": "integer",
                "minimum": 0
              }
            },
            "additionalProperties": false
          },
          "explain": {
            "type": "object",
            "required": [
              "available",
              "conditions",
              "skipped",
              "explained_left",
              "explained_right"
            ],
            "properties": {
              "available": {
                "type": "boolean"
              },
              "reason": {
                "type": "string"
              },
              "conditions": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "skipped": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": [
                    "condition",
                    "reason"
                  ],
                  "properties": {
                    "condition": {
                      "type": "string"
                    },
                    "reason": {
                      "type": "string"
                    }
                  },
                  "additionalProperties": false
                }
              },
              "explained_left": {
                "type": "integer",
                "minimum": 0
              },
              "explained_right": {
                "type": "integer",
                "minimum": 0
              }
            },
            "additionalProperties": false
          },
          "outputs": {
            "type": "object",
            "required": [
              "matched",
              "unmatched_left",
              "unmatched_right",
              "summary"
            ],
            "properties": {
              "matched": {
                "type": "string"
              },
              "unmatched_left": {
                "type": "string"
              },
              "unmatched_right": {
                "type": "string"
              },
              "summary": {
                "type": "string"
              },
              "decided_left": {
                "type": "string"
              },
              "decided_right": {
                "type": "string"
              },
              "explain_left": {
                "type": "string"
              },
              "explain_right": {
                "type": "string"
              }
            },
            "additionalProperties": false
          },
          "timings_ms": {
            "type": "object",
            "required": [
              "staging",
              "matching",
              "writing_results",
              "total"
            ],
            "properties": {
              "staging": {
                "type": "number",
                "minimum": 0
              },
              "matching": {
                "type": "number",
                "minimum": 0
              },
              "writing_results": {
                "type": "number",
                "minimum": 0
              },
              "explaining": {
                "type": "number",
                "minimum": 0
              },
              "total": {
                "type": "number",
                "minimum": 0
              }
            },
            "additionalProperties": false,
            "description": "Milliseconds spent in each stage"
          },
          "at": {
            "type": "string",
            "format": "date-time"
          }
        },
        "additionalProperties": false
      },
      {
        "type": "object",
        "required": [
          "type",
          "run_id",
          "code",
          "message",
          "stage",
          "at"
        ],
        "properties": {
          "type": {
            "type": "string",
            "const": "failed"
          },
          "run_id": {
            "type": "string"
          },
          "code": {
            "type": "string",
            "pattern": "^[A-Z][A-Z0-9_]*$"
          },
          "message": {
            "type": "string"
          },
          "stage": {
            "enum": [
              "validating",
              "staging",
              "matching",
              "writing_results",
              "dispatch"
            ]
          },
          "at": {
            "type": "string",
            "format": "date-time"
          }
        },
        "additionalProperties": false
      },
      {
        "type": "object",
        "required": [
          "type",
          "run_id",
          "side",
          "page",
          "keys",
          "at"
        ],
        "properties": {
          "type": {
            "type": "string",
            "const": "unmatched_keys"
          },
          "run_id": {
            "type": "string"
          },
          "side": {
            "enum": [
              "left",
              "right"
            ]
          },
          "page": {
            "type": "integer",
            "minimum": 0
          },
          "keys": {
            "type": "array",
            "items": {
              "type": "array",
              "items": {
                "type": "string",
                "maxLength": 1000
              },
              "minItems": 1,
              "maxItems": 16
            },
            "maxItems": 1000
          },
          "at": {
            "type": "string",
            "format": "date-time"
          }
        },
        "additionalProperties": false
      },
      {
        "type": "object",
        "required": [
          "type",
          "run_id",
          "at"
        ],
        "properties": {
          "type": {
            "type": "string",
            "const": "cancel_requested"
          },
          "run_id": {
            "type": "string"
          },
          "at": {
            "type": "string",
            "format": "date-time"
          }
        },
        "additionalProperties": false
      }
    ]
  },
  "stream": "KALLA_EVENTS",
  "suffixed": true
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > RunUpdates 1`] = `
{
  "subject": "kalla.runs.updated.v1",
  "kind": "topic",
  "message": {
    "type": "object",
    "required": [
      "run_id",
      "recipe_id",
      "status",
      "created_at",
      "updated_at"
    ],
    "properties": {
      "run_id": {
        "type": "string"
      },
      "recipe_id": {
        "type": "string"
      },
      "status": {
        "enum": [
          "submitted",
          "staging",
          "matching",
          "writing_results",
          "completed",
          "failed",
          "cancelled"
        ]
      },
      "stage": {
        "enum": [
          "staging",
          "matching",
          "writing_results"
        ]
      },
      "source": {
        "type": "string"
      },
      "progress": {
        "type": "number",
        "minimum": 0,
        "maximum": 1
      },
      "matched_count": {
        "type": "integer",
        "minimum": 0
      },
      "matched_left": {
        "type": "integer",
        "minimum": 0
      },
      "matched_right": {
        "type": "integer",
        "minimum": 0
      },
      "unmatched_left_count": {
        "type": "integer",
        "minimum": 0
      },
      "unmatched_right_count": {
        "type": "integer",
        "minimum": 0
      },
      "total_left": {
        "type": "integer",
        "minimum": 0
      },
      "total_right": {
        "type": "integer",
        "minimum": 0
      },
      "decisions": {
        "type": "object",
        "required": [
          "sql_matched_left",
          "sql_matched_right",
          "decision_matched_left",
          "decision_matched_right",
          "written_off_left",
          "written_off_right",
          "unmatched_by_decision",
          "decisions_not_applied"
        ],
        "properties": {
          "sql_matched_left": {
            "type": "integer",
            "minimum": 0
          },
          "sql_matched_right": {
            "type": "integer",
            "minimum": 0
          },
          "decision_matched_left": {
            "type": "integer",
            "minimum": 0
          },
          "decision_matched_right": {
            "type": "integer",
            "minimum": 0
          },
          "written_off_left": {
            "type": "integer",
            "minimum": 0
          },
          "written_off_right": {
            "type": "integer",
            "minimum": 0
          },
          "unmatched_by_decision": {
            "type": "integer",
            "minimum": 0
          },
          "decisions_not_applied": {
            "type": "integer",
            "minimum": 0
          }
        },
        "additionalProperties": false
      },
      "explain": {
        "type": "object",
        "required": [
          "available",
          "conditions",
          "skipped",
          "explained_left",
          "explained_right"
        ],
        "properties": {
          "available": {
            "type": "boolean"
          },
          "reason": {
            "type": "string"
          },
          "conditions": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "skipped": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "condition",
                "reason"
              ],
              "properties": {
                "condition": {
                  "type": "string"
                },
                "reason": {
                  "type": "string"
                }
              },
              "additionalProperties": false
            }
          },
          "explained_left": {
            "type": "integer",
            "minimum": 0
          },
          "explained_right": {
            "type": "integer",
            "minimum": 0
          }
        },
        "additionalProperties": false
      },
      "error": {
        "type": "object",
        "required": [
          "code",
          "message",
          "stage"
        ],
        "properties": {
          "code": {
            "type": "string"
          },
          "message": {
            "type": "string"
          },
          "stage": {
            "enum": [
              "validating",
              "staging",
              "matching",
              "writing_results",
              "dispatch"
            ]
          }
        },
        "additionalProperties": false
      },
      "outputs": {
        "type": "object",
        "required": [
          "matched",
          "unmatched_left",
          "unmatched_right",
          "summary"
        ],
        "properties": {
          "matched": {
            "type": "string"
          },
          "unmatched_left": {
            "type": "string"
          },
          "unmatched_right": {
            "type": "string"
          },
          "summary": {
            "type": "string"
          },
          "decided_left": {
            "type": "string"
          },
          "decided_right": {
            "type": "string"
          },
          "explain_left": {
            "type": "string"
          },
          "explain_right": {
            "type": "string"
          }
        },
        "additionalProperties": false
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "started_at": {
        "type": "string",
        "format": "date-time"
      },
      "finished_at": {
        "type": "string",
        "format": "date-time"
      },
      "updated_at": {
        "type": "string",
        "format": "date-time"
      }
    },
    "additionalProperties": false
  },
  "stream": "KALLA_RUNS",
  "suffixed": true
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > SaveRecipe 1`] = `
{
  "subject": "kalla.recipes.save.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "recipe"
    ],
    "properties": {
      "recipe": {}
    }
  },
  "response": {
    "type": "object",
    "required": [
      "recipe",
      "created_at",
      "updated_at"
    ],
    "properties": {
      "recipe": {
        "type": "object",
        "required": [
          "recipe_id",
          "name",
          "match_sql",
          "sources"
        ],
        "properties": {
          "recipe_id": {
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
          },
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "description": {
            "type": "string"
          },
          "match_sql": {
            "type": "string"
          },
          "match_description": {
            "type": "string"
          },
          "sources": {
            "type": "object",
            "required": [
              "left",
              "right"
            ],
            "properties": {
              "left": {
                "type": "object",
                "required": [
                  "alias",
                  "type",
                  "primary_key"
                ],
                "properties": {
                  "alias": {
                    "type": "string",
                    "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
                    "description": "A plain SQL identifier"
                  },
                  "type": {
                    "enum": [
                      "postgres",
                      "bigquery",
                      "elasticsearch",
                      "file"
                    ]
                  },
                  "uri": {
                    "type": "string",
                    "minLength": 1
                  },
                  "schema": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  "primary_key": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  "options": {
                    "type": "object",
                    "properties": {
                      "file": {
                        "type": "object",
                        "properties": {
                          "delimiter": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 1,
                            "description": "The field delimiter of a CSV file"
                          },
                          "encoding": {
                            "enum": [
                              "utf-8",
                              "utf-16le",
                              "utf-16be",
                              "windows-1252",
                              "iso-8859-1"
                            ]
                          },
                          "header_row": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 1000,
                            "description": "The line (or spreadsheet row) that holds the column names; the records follow it"
                          },
                          "sheet": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 31,
                            "description": "The worksheet of an Excel workbook (default: the first)"
                          }
                        },
                        "additionalProperties": false
                      },
                      "columns": {
                        "type": "object",
                        "patternProperties": {
                          "^.*$": {
                            "type": "object",
                            "properties": {
                              "type": {
                                "enum": [
                                  "text",
                                  "integer",
                                  "decimal",
                                  "date",
                                  "timestamp",
                                  "boolean"
                                ]
                              },
                              "decimal_separator": {
                                "enum": [
                                  ".",
                                  ","
                                ],
                                "description": "The decimal mark of a number column"
                              },
                              "thousands_separator": {
                                "enum": [
                                  ",",
                                  ".",
                                  " ",
                                  "'",
                                  " ",
                                  " ",
                                  ""
                                ],
                                "description": "The digit-group separator of a number column (\\"\\" for none)"
                              },
                              "date_format": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": 64,
                                "description": "A strptime format for a date or timestamp column, e.g. %d/%m/%Y"
                              }
                            },
                            "additionalProperties": false
                          }
                        }
                      }
                    },
                    "additionalProperties": false
                  }
                },
                "additionalProperties": false
              },
              "right": {
                "type": "object",
                "required": [
                  "alias",
                  "type",
                  "primary_key"
                ],
                "properties": {
                  "alias": {
                    "type": "string",
                    "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
                    "description": "A plain SQL identifier"
                  },
                  "type": {
                    "enum": [
                      "postgres",
                      "bigquery",
                      "elasticsearch",
                      "file"
                    ]
                  },
                  "uri": {
                    "type": "string",
                    "minLength": 1
                  },
                  "schema": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  "primary_key": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  "options": {
                    "type": "object",
                    "properties": {
                      "file": {
                        "type": "object",
                        "properties": {
                          "delimiter": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 1,
                            "description": "The field delimiter of a CSV file"
                          },
                          "encoding": {
                            "enum": [
                              "utf-8",
                              "utf-16le",
                              "utf-16be",
                              "windows-1252",
                              "iso-8859-1"
                            ]
                          },
                          "header_row": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 1000,
                            "description": "The line (or spreadsheet row) that holds the column names; the records follow it"
                          },
                          "sheet": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 31,
                            "description": "The worksheet of an Excel workbook (default: the first)"
                          }
                        },
                        "additionalProperties": false
                      },
                      "columns": {
                        "type": "object",
                        "patternProperties": {
                          "^.*$": {
                            "type": "object",
                            "properties": {
                              "type": {
                                "enum": [
                                  "text",
                                  "integer",
                                  "decimal",
                                  "date",
                                  "timestamp",
                                  "boolean"
                                ]
                              },
                              "decimal_separator": {
                                "enum": [
                                  ".",
                                  ","
                                ],
                                "description": "The decimal mark of a number column"
                              },
                              "thousands_separator": {
                                "enum": [
                                  ",",
                                  ".",
                                  " ",
                                  "'",
                                  " ",
                                  " ",
                                  ""
                                ],
                                "description": "The digit-group separator of a number column (\\"\\" for none)"
                              },
                              "date_format": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": 64,
                                "description": "A strptime format for a date or timestamp column, e.g. %d/%m/%Y"
                              }
                            },
                            "additionalProperties": false
                          }
                        }
                      }
                    },
                    "additionalProperties": false
                  }
                },
                "additionalProperties": false
              }
            },
            "additionalProperties": false
          }
        },
        "additionalProperties": false
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "updated_at": {
        "type": "string",
        "format": "date-time"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > SetRecipeSettings 1`] = `
{
  "subject": "kalla.runs.settings.set.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "recipe_id",
      "four_eyes",
      "actor"
    ],
    "properties": {
      "recipe_id": {
        "type": "string"
      },
      "four_eyes": {
        "type": "boolean"
      },
      "actor": {
        "type": "object",
        "required": [
          "name",
          "id"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "id": {
            "anyOf": [
              {
                "type": "string"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "additionalProperties": false
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "recipe_id",
      "four_eyes"
    ],
    "properties": {
      "recipe_id": {
        "type": "string"
      },
      "four_eyes": {
        "type": "boolean"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > SourceColumns 1`] = `
{
  "subject": "kalla.sources.columns.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "alias"
    ],
    "properties": {
      "alias": {
        "type": "string"
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "columns"
    ],
    "properties": {
      "columns": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "name",
            "type"
          ],
          "properties": {
            "name": {
              "type": "string"
            },
            "type": {
              "type": "string"
            }
          },
          "additionalProperties": false
        }
      }
    }
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > StartRun 1`] = `
{
  "subject": "kalla.runs.start.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "recipe_id"
    ],
    "properties": {
      "recipe_id": {
        "type": "string"
      },
      "files": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "alias",
            "upload_id"
          ],
          "properties": {
            "alias": {
              "type": "string"
            },
            "upload_id": {
              "type": "string"
            }
          },
          "additionalProperties": false
        }
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "run_id",
      "recipe_id",
      "status",
      "created_at",
      "updated_at"
    ],
    "properties": {
      "run_id": {
        "type": "string"
      },
      "recipe_id": {
        "type": "string"
      },
      "status": {
        "enum": [
          "submitted",
          "staging",
          "matching",
          "writing_results",
          "completed",
          "failed",
          "cancelled"
        ]
      },
      "stage": {
        "enum": [
          "staging",
          "matching",
          "writing_results"
        ]
      },
      "source": {
        "type": "string"
      },
      "progress": {
        "type": "number",
        "minimum": 0,
        "maximum": 1
      },
      "matched_count": {
        "type": "integer",
        "minimum": 0
      },
      "matched_left": {
        "type": "integer",
        "minimum": 0
      },
      "matched_right": {
        "type": "integer",
        "minimum": 0
      },
      "unmatched_left_count": {
        "type": "integer",
        "minimum": 0
      },
      "unmatched_right_count": {
        "type": "integer",
        "minimum": 0
      },
      "total_left": {
        "type": "integer",
        "minimum": 0
      },
      "total_right": {
        "type": "integer",
        "minimum": 0
      },
      "decisions": {
        "type": "object",
        "required": [
          "sql_matched_left",
          "sql_matched_right",
          "decision_matched_left",
          "decision_matched_right",
          "written_off_left",
          "written_off_right",
          "unmatched_by_decision",
          "decisions_not_applied"
        ],
        "properties": {
          "sql_matched_left": {
            "type": "integer",
            "minimum": 0
          },
          "sql_matched_right": {
            "type": "integer",
            "minimum": 0
          },
          "decision_matched_left": {
            "type": "integer",
            "minimum": 0
          },
          "decision_matched_right": {
            "type": "integer",
            "minimum": 0
          },
          "written_off_left": {
            "type": "integer",
            "minimum": 0
          },
          "written_off_right": {
            "type": "integer",
            "minimum": 0
          },
          "unmatched_by_decision": {
            "type": "integer",
            "minimum": 0
          },
          "decisions_not_applied": {
            "type": "integer",
            "minimum": 0
          }
        },
        "additionalProperties": false
      },
      "explain": {
        "type": "object",
        "required": [
          "available",
          "conditions",
          "skipped",
          "explained_left",
          "explained_right"
        ],
        "properties": {
          "available": {
            "type": "boolean"
          },
          "reason": {
            "type": "string"
          },
          "conditions": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "skipped": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "condition",
                "reason"
              ],
              "properties": {
                "condition": {
                  "type": "string"
                },
                "reason": {
                  "type": "string"
                }
              },
              "additionalProperties": false
            }
          },
          "explained_left": {
            "type": "integer",
            "minimum": 0
          },
          "explained_right": {
            "type": "integer",
            "minimum": 0
          }
        },
        "additionalProperties": false
      },
      "error": {
        "type": "object",
        "required": [
          "code",
          "message",
          "stage"
        ],
        "properties": {
          "code": {
            "type": "string"
          },
          "message": {
            "type": "string"
          },
          "stage": {
            "enum": [
              "validating",
              "staging",
              "matching",
              "writing_results",
              "dispatch"
            ]
          }
        },
        "additionalProperties": false
      },
      "outputs": {
        "type": "object",
        "required": [
          "matched",
          "unmatched_left",
          "unmatched_right",
          "summary"
        ],
        "properties": {
          "matched": {
            "type": "string"
          },
          "unmatched_left": {
            "type": "string"
          },
          "unmatched_right": {
            "type": "string"
          },
          "summary": {
            "type": "string"
          },
          "decided_left": {
            "type": "string"
          },
          "decided_right": {
            "type": "string"
          },
          "explain_left": {
            "type": "string"
          },
          "explain_right": {
            "type": "string"
          }
        },
        "additionalProperties": false
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "started_at": {
        "type": "string",
        "format": "date-time"
      },
      "finished_at": {
        "type": "string",
        "format": "date-time"
      },
      "updated_at": {
        "type": "string",
        "format": "date-time"
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > SuggestRecipes 1`] = `
{
  "subject": "kalla.recipes.suggest.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "sources",
      "sample_rows",
      "limit"
    ],
    "properties": {
      "sources": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "alias"
          ],
          "properties": {
            "alias": {
              "type": "string",
              "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
              "description": "A plain SQL identifier"
            },
            "upload_id": {
              "type": "string",
              "minLength": 1
            },
            "uri": {
              "type": "string",
              "minLength": 1
            },
            "options": {
              "type": "object",
              "properties": {
                "file": {
                  "type": "object",
                  "properties": {
                    "delimiter": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 1,
                      "description": "The field delimiter of a CSV file"
                    },
                    "encoding": {
                      "enum": [
                        "utf-8",
                        "utf-16le",
                        "utf-16be",
                        "windows-1252",
                        "iso-8859-1"
                      ]
                    },
                    "header_row": {
                      "type": "integer",
                      "minimum": 1,
                      "maximum": 1000,
                      "description": "The line (or spreadsheet row) that holds the column names; the records follow it"
                    },
                    "sheet": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 31,
                      "description": "The worksheet of an Excel workbook (default: the first)"
                    }
                  },
                  "additionalProperties": false
                },
                "columns": {
                  "type": "object",
                  "patternProperties": {
                    "^.*$": {
                      "type": "object",
                      "properties": {
                        "type": {
                          "enum": [
                            "text",
                            "integer",
                            "decimal",
                            "date",
                            "timestamp",
                            "boolean"
                          ]
                        },
                        "decimal_separator": {
                          "enum": [
                            ".",
                            ","
                          ],
                          "description": "The decimal mark of a number column"
                        },
                        "thousands_separator": {
                          "enum": [
                            ",",
                            ".",
                            " ",
                            "'",
                            " ",
                            " ",
                            ""
                          ],
                          "description": "The digit-group separator of a number column (\\"\\" for none)"
                        },
                        "date_format": {
                          "type": "string",
                          "minLength": 1,
                          "maxLength": 64,
                          "description": "A strptime format for a date or timestamp column, e.g. %d/%m/%Y"
                        }
                      },
                      "additionalProperties": false
                    }
                  }
                }
              },
              "additionalProperties": false
            }
          },
          "additionalProperties": false
        },
        "minItems": 2,
        "maxItems": 2
      },
      "sample_rows": {
        "type": "integer",
        "minimum": 100,
        "maximum": 200000,
        "default": 20000
      },
      "limit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 20,
        "default": 5
      }
    }
  },
  "response": {
    "type": "object",
    "required": [
      "suggestions",
      "notes"
    ],
    "properties": {
      "suggestions": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "rank",
            "pattern",
            "recipe",
            "evidence",
            "preview"
          ],
          "properties": {
            "rank": {
              "type": "integer",
              "minimum": 1
            },
            "pattern": {
              "enum": [
                "one_to_one",
                "split",
                "batch"
              ]
            },
            "recipe": {
              "type": "object",
              "required": [
                "recipe_id",
                "name",
                "match_sql",
                "sources"
              ],
              "properties": {
                "recipe_id": {
                  "type": "string",
                  "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
                },
                "name": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 200
                },
                "description": {
                  "type": "string"
                },
                "match_sql": {
                  "type": "string"
                },
                "match_description": {
                  "type": "string"
                },
                "sources": {
                  "type": "object",
                  "required": [
                    "left",
                    "right"
                  ],
                  "properties": {
                    "left": {
                      "type": "object",
                      "required": [
                        "alias",
                        "type",
                        "primary_key"
                      ],
                      "properties": {
                        "alias": {
                          "type": "string",
                          "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
                          "description": "A plain SQL identifier"
                        },
                        "type": {
                          "enum": [
                            "postgres",
                            "bigquery",
                            "elasticsearch",
                            "file"
                          ]
                        },
                        "uri": {
                          "type": "string",
                          "minLength": 1
                        },
                        "schema": {
                          "type": "array",
                          "items": {
                            "type": "string",
                            "minLength": 1
                          }
                        },
                        "primary_key": {
                          "type": "array",
                          "items": {
                            "type": "string",
                            "minLength": 1
                          }
                        },
                        "options": {
                          "type": "object",
                          "properties": {
                            "file": {
                              "type": "object",
                              "properties": {
                                "delimiter": {
                                  "type": "string",
                                  "minLength": 1,
                                  "maxLength": 1,
                                  "description": "The field delimiter of a CSV file"
                                },
                                "encoding": {
                                  "enum": [
                                    "utf-8",
                                    "utf-16le",
                                    "utf-16be",
                                    "windows-1252",
                                    "iso-8859-1"
                                  ]
                                },
                                "header_row": {
                                  "type": "integer",
                                  "minimum": 1,
                                  "maximum": 1000,
                                  "description": "The line (or spreadsheet row) that holds the column names; the records follow it"
                                },
                                "sheet": {
                                  "type": "string",
                                  "minLength": 1,
                                  "maxLength": 31,
                                  "description": "The worksheet of an Excel workbook (default: the first)"
                                }
                              },
                              "additionalProperties": false
                            },
                            "columns": {
                              "type": "object",
                              "patternProperties": {
                                "^.*$": {
                                  "type": "object",
                                  "properties": {
                                    "type": {
                                      "enum": [
                                        "text",
                                        "integer",
                                        "decimal",
                                        "date",
                                        "timestamp",
                                        "boolean"
                                      ]
                                    },
                                    "decimal_separator": {
                                      "enum": [
                                        ".",
                                        ","
                                      ],
                                      "description": "The decimal mark of a number column"
                                    },
                                    "thousands_separator": {
                                      "enum": [
                                        ",",
                                        ".",
                                        " ",
                                        "'",
                                        " ",
                                        " ",
                                        ""
                                      ],
                                      "description": "The digit-group separator of a number column (\\"\\" for none)"
                                    },
                                    "date_format": {
                                      "type": "string",
                                      "minLength": 1,
                                      "maxLength": 64,
                                      "description": "A strptime format for a date or timestamp column, e.g. %d/%m/%Y"
                                    }
                                  },
                                  "additionalProperties": false
                                }
                              }
                            }
                          },
                          "additionalProperties": false
                        }
                      },
                      "additionalProperties": false
                    },
                    "right": {
                      "type": "object",
                      "required": [
                        "alias",
                        "type",
                        "primary_key"
                      ],
                      "properties": {
                        "alias": {
                          "type": "string",
                          "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
                          "description": "A plain SQL identifier"
                        },
                        "type": {
                          "enum": [
                            "postgres",
                            "bigquery",
                            "elasticsearch",
                            "file"
                          ]
                        },
                        "uri": {
                          "type": "string",
                          "minLength": 1
                        },
                        "schema": {
                          "type": "array",
                          "items": {
                            "type": "string",
                            "minLength": 1
                          }
                        },
                        "primary_key": {
                          "type": "array",
                          "items": {
                            "type": "string",
                            "minLength": 1
                          }
                        },
                        "options": {
                          "type": "object",
                          "properties": {
                            "file": {
                              "type": "object",
                              "properties": {
                                "delimiter": {
                                  "type": "string",
                                  "minLength": 1,
                                  "maxLength": 1,
                                  "description": "The field delimiter of a CSV file"
                                },
                                "encoding": {
                                  "enum": [
                                    "utf-8",
                                    "utf-16le",
                                    "utf-16be",
                                    "windows-1252",
                                    "iso-8859-1"
                                  ]
                                },
                                "header_row": {
                                  "type": "integer",
                                  "minimum": 1,
                                  "maximum": 1000,
                                  "description": "The line (or spreadsheet row) that holds the column names; the records follow it"
                                },
                                "sheet": {
                                  "type": "string",
                                  "minLength": 1,
                                  "maxLength": 31,
                                  "description": "The worksheet of an Excel workbook (default: the first)"
                                }
                              },
                              "additionalProperties": false
                            },
                            "columns": {
                              "type": "object",
                              "patternProperties": {
                                "^.*$": {
                                  "type": "object",
                                  "properties": {
                                    "type": {
                                      "enum": [
                                        "text",
                                        "integer",
                                        "decimal",
                                        "date",
                                        "timestamp",
                                        "boolean"
                                      ]
                                    },
                                    "decimal_separator": {
                                      "enum": [
                                        ".",
                                        ","
                                      ],
                                      "description": "The decimal mark of a number column"
                                    },
                                    "thousands_separator": {
                                      "enum": [
                                        ",",
                                        ".",
                                        " ",
                                        "'",
                                        " ",
                                        " ",
                                        ""
                                      ],
                                      "description": "The digit-group separator of a number column (\\"\\" for none)"
                                    },
                                    "date_format": {
                                      "type": "string",
                                      "minLength": 1,
                                      "maxLength": 64,
                                      "description": "A strptime format for a date or timestamp column, e.g. %d/%m/%Y"
                                    }
                                  },
                                  "additionalProperties": false
                                }
                              }
                            }
                          },
                          "additionalProperties": false
                        }
                      },
                      "additionalProperties": false
                    }
                  },
                  "additionalProperties": false
                }
              },
              "additionalProperties": false
            },
            "evidence": {
              "type": "array",
              "items": {
                "type": "string"
              }
            },
            "preview": {
              "type": "object",
              "required": [
                "matched_left",
                "matched_right",
                "total_left",
                "total_right",
                "match_rate"
              ],
              "properties": {
                "matched_left": {
                  "type": "integer",
                  "minimum": 0
                },
                "matched_right": {
                  "type": "integer",
                  "minimum": 0
                },
                "total_left": {
                  "type": "integer",
                  "minimum": 0
                },
                "total_right": {
                  "type": "integer",
                  "minimum": 0
                },
                "match_rate": {
                  "type": "number",
                  "minimum": 0,
                  "maximum": 1
                }
              },
              "additionalProperties": false
            }
          },
          "additionalProperties": false
        }
      },
      "none": {
        "type": "string"
      },
      "notes": {
        "type": "array",
        "items": {
          "type": "string"
        }
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > TestSource 1`] = `
{
  "subject": "kalla.sources.test.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "alias"
    ],
    "properties": {
      "alias": {
        "type": "string"
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "ok",
      "message"
    ],
    "properties": {
      "ok": {
        "type": "boolean"
      },
      "message": {
        "type": "string"
      }
    }
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > UpdateExceptions 1`] = `
{
  "subject": "kalla.runs.exceptions.update.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "recipe_id",
      "records",
      "change",
      "actor"
    ],
    "properties": {
      "recipe_id": {
        "type": "string"
      },
      "records": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "side",
            "key"
          ],
          "properties": {
            "side": {
              "enum": [
                "left",
                "right"
              ]
            },
            "key": {
              "type": "array",
              "items": {
                "type": "string",
                "maxLength": 1000
              },
              "minItems": 1,
              "maxItems": 16
            }
          },
          "additionalProperties": false
        },
        "minItems": 1,
        "maxItems": 10000
      },
      "change": {
        "type": "object",
        "properties": {
          "state": {
            "enum": [
              "open",
              "investigating",
              "resolved"
            ]
          },
          "resolution": {
            "enum": [
              "matched_manually",
              "written_off",
              "timing",
              "data_corrected"
            ]
          },
          "assignee": {
            "anyOf": [
              {
                "type": "string",
                "minLength": 1,
                "maxLength": 200
              },
              {
                "type": "null"
              }
            ]
          },
          "due_date": {
            "anyOf": [
              {
                "type": "string",
                "format": "date"
              },
              {
                "type": "null"
              }
            ]
          },
          "comment": {
            "type": "string",
            "minLength": 1,
            "maxLength": 4000
          }
        },
        "additionalProperties": false
      },
      "actor": {
        "type": "object",
        "required": [
          "name",
          "id"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "id": {
            "anyOf": [
              {
                "type": "string"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "additionalProperties": false
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "updated",
      "exceptions"
    ],
    "properties": {
      "updated": {
        "type": "integer",
        "minimum": 0
      },
      "exceptions": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "recipe_id",
            "side",
            "key",
            "state",
            "comments"
          ],
          "properties": {
            "recipe_id": {
              "type": "string"
            },
            "side": {
              "enum": [
                "left",
                "right"
              ]
            },
            "key": {
              "type": "array",
              "items": {
                "type": "string",
                "maxLength": 1000
              },
              "minItems": 1,
              "maxItems": 16
            },
            "state": {
              "enum": [
                "open",
                "investigating",
                "resolved"
              ]
            },
            "resolution": {
              "enum": [
                "matched_manually",
                "written_off",
                "timing",
                "data_corrected"
              ]
            },
            "write_off_status": {
              "enum": [
                "pending",
                "effective",
                "rejected"
              ]
            },
            "assignee": {
              "type": "string"
            },
            "due_date": {
              "type": "string",
              "format": "date"
            },
            "comments": {
              "type": "array",
              "items": {
                "type": "object",
                "required": [
                  "author",
                  "body",
                  "at"
                ],
                "properties": {
                  "author": {
                    "type": "object",
                    "required": [
                      "name",
                      "id"
                    ],
                    "properties": {
                      "name": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 200
                      },
                      "id": {
                        "anyOf": [
                          {
                            "type": "string"
                          },
                          {
                            "type": "null"
                          }
                        ]
                      }
                    },
                    "additionalProperties": false
                  },
                  "body": {
                    "type": "string"
                  },
                  "at": {
                    "type": "string",
                    "format": "date-time"
                  }
                },
                "additionalProperties": false
              }
            },
            "updated_by": {
              "type": "object",
              "required": [
                "name",
                "id"
              ],
              "properties": {
                "name": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 200
                },
                "id": {
                  "anyOf": [
                    {
                      "type": "string"
                    },
                    {
                      "type": "null"
                    }
                  ]
                }
              },
              "additionalProperties": false
            },
            "updated_at": {
              "type": "string",
              "format": "date-time"
            },
            "first_seen_at": {
              "type": "string",
              "format": "date-time"
            },
            "first_seen_run_id": {
              "type": "string"
            },
            "runs_unmatched": {
              "type": "integer",
              "minimum": 0
            }
          },
          "additionalProperties": false
        }
      }
    }
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > UpdateSource 1`] = `
{
  "subject": "kalla.sources.update.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "alias"
    ],
    "properties": {
      "alias": {
        "type": "string"
      },
      "type": {
        "enum": [
          "postgres",
          "bigquery",
          "elasticsearch",
          "file"
        ]
      },
      "uri": {
        "type": "string",
        "minLength": 1
      }
    },
    "additionalProperties": false
  },
  "response": {
    "type": "object",
    "required": [
      "alias",
      "type",
      "uri",
      "columns",
      "created_at",
      "updated_at"
    ],
    "properties": {
      "alias": {
        "type": "string",
        "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,62}$",
        "description": "A plain SQL identifier"
      },
      "type": {
        "enum": [
          "postgres",
          "bigquery",
          "elasticsearch",
          "file"
        ]
      },
      "uri": {
        "type": "string",
        "description": "The URI with any password replaced by ***"
      },
      "columns": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "name",
            "type"
          ],
          "properties": {
            "name": {
              "type": "string"
            },
            "type": {
              "type": "string"
            }
          },
          "additionalProperties": false
        }
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "updated_at": {
        "type": "string",
        "format": "date-time"
      },
      "problem": {
        "type": "object",
        "required": [
          "code",
          "message"
        ],
        "properties": {
          "code": {
            "type": "string"
          },
          "message": {
            "type": "string"
          }
        },
        "additionalProperties": false
      }
    },
    "additionalProperties": false
  }
}
`

exports[`proto/test/contracts.test.ts > TAP > the JSON Schema of every contract is unchanged unless the snapshot is updated > ValidateRecipe 1`] = `
{
  "subject": "kalla.recipes.validate.v1",
  "kind": "endpoint",
  "request": {
    "type": "object",
    "required": [
      "recipe"
    ],
    "properties": {
      "recipe": {}
    }
  },
  "response": {
    "type": "object",
    "required": [
      "valid",
      "problems"
    ],
    "properties": {
      "valid": {
        "type": "boolean"
      },
      "problems": {
        "type": "array",
        "items": {
          "type": "object",
          "required": [
            "code",
            "message"
          ],
          "properties": {
            "code": {
              "type": "string"
            },
            "message": {
              "type": "string"
            },
            "path": {
              "type": "string"
            }
          },
          "additionalProperties": false
        }
      }
    },
    "additionalProperties": false
  }
}
`
